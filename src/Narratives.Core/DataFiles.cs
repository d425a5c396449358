namespace Narratives.Core;

/// <summary>Where the shipped data files (taxonomy, reference lists, demo seed) and the repository live.</summary>
public static class DataFiles
{
    /// <summary>The data folder copied beside every Narratives program.</summary>
    public static string Root => System.IO.Path.Combine(AppContext.BaseDirectory, "data");

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    /// <summary>The checkout this program runs from (the folder holding Narratives.sln), if any.</summary>
    public static string? RepositoryRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(System.IO.Path.Combine(dir.FullName, "Narratives.sln")))
                    return dir.FullName;
        }
        return null;
    }

    /// <summary>The default home of the embedded database: data/local-db in the checkout, else the user's data folder.</summary>
    public static string DefaultLocalDatabaseDirectory()
    {
        var repo = RepositoryRoot();
        if (repo is not null)
            return System.IO.Path.Combine(repo, "data", "local-db");
        var home = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
        return System.IO.Path.Combine(home, "narratives", "local-db");
    }
}

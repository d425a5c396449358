using System.Diagnostics;
using Narratives.Core;

namespace Narratives.Ml.Tests;

public sealed class CommandLineTests
{
    [Fact]
    public async Task The_classifier_command_line_refuses_commands_it_does_not_have_with_exit_code_2()
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "Narratives.Ml.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("train");
        using var process = Process.Start(psi)!;
        var stderr = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("train", stderr);
        Assert.NotNull(DataFiles.RepositoryRoot());
    }
}

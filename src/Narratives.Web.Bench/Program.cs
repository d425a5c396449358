using System.CommandLine;
using Narratives.Web.Bench;

// `dotnet run -c Release --project src/Narratives.Web.Bench -- --url URL --email EMAIL [--runs N] [--path /]`:
// how long a page of a running dashboard takes in a real browser until it can be used. The password is read from the
// environment variable NARRATIVES_BENCH_PASSWORD (never from the command line, where other users could see it).
var url = new Option<Uri>("--url") { Description = "The running dashboard.", DefaultValueFactory = _ => new Uri("http://127.0.0.1:5000") };
var email = new Option<string>("--email") { Description = "The account to sign in with.", Required = true };
var path = new Option<string>("--path") { Description = "The page to time.", DefaultValueFactory = _ => "/" };
var runs = new Option<int>("--runs") { Description = "How many times the page is opened (after one warm-up).", DefaultValueFactory = _ => 10 };
var chromium = new Option<string>("--chromium") { Description = "The Chromium to drive.", DefaultValueFactory = _ => "/usr/bin/chromium" };

var root = new RootCommand("Times a dashboard page in a real browser: from asking for it until every chart is drawn and the page answers clicks.");
foreach (var option in new Option[] { url, email, path, runs, chromium }) root.Options.Add(option);
root.SetAction(async (parse, ct) =>
{
    var password = Environment.GetEnvironmentVariable("NARRATIVES_BENCH_PASSWORD");
    if (string.IsNullOrEmpty(password))
    {
        await Console.Error.WriteLineAsync("Set NARRATIVES_BENCH_PASSWORD to the password of the account given with --email.");
        return 2;
    }
    if (parse.GetValue(runs) < 1)
    {
        await Console.Error.WriteLineAsync("--runs must be at least 1.");
        return 2;
    }
    if (!File.Exists(parse.GetValue(chromium)))
    {
        await Console.Error.WriteLineAsync($"No Chromium at {parse.GetValue(chromium)}; install Debian's chromium package or give --chromium.");
        return 2;
    }
    try
    {
        var result = await PageTiming.RunAsync(parse.GetValue(url)!, parse.GetValue(email)!, password, parse.GetValue(path)!, parse.GetValue(runs),
            parse.GetValue(chromium)!, Console.Out, ct);
        PageTiming.Print(Console.Out, result);
        return 0;
    }
    catch (BenchException ex)
    {
        await Console.Error.WriteLineAsync(ex.Message);
        return 1;
    }
});
return await root.Parse(args).InvokeAsync();

using Narratives.Ml.Cli;

return await ClassifierCommandLine.RunAsync(args);

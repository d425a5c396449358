using Narratives.Ingest.Cli;

return await IngestCommandLine.RunAsync(args);

using Narratives.Web;

return await NarrativesWebApp.RunAsync(args);

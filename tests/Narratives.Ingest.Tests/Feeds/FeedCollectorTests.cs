using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging.Abstractions;
using Narratives.Ingest.Feeds;
using Narratives.Ingest.Imports;

namespace Narratives.Ingest.Tests.Feeds;

public sealed class FeedCollectorTests
{
    /// <summary>Serves one feed file on a loopback port; answers 304 to a matching If-None-Match, and can fail first.</summary>
    sealed class FeedServer : IAsyncDisposable
    {
        readonly HttpListener listener = new();
        readonly Task loop;
        public int Requests;
        public int FailuresBeforeSuccess;
        public string Body = "";

        public FeedServer()
        {
            var port = FreePort();
            Url = $"http://127.0.0.1:{port}/feed.xml";
            listener.Prefixes.Add($"http://127.0.0.1:{port}/");
            listener.Start();
            loop = Task.Run(ServeAsync);
        }

        public string Url { get; }

        static int FreePort()
        {
            using var socket = new TcpListener(IPAddress.Loopback, 0);
            socket.Start();
            return ((IPEndPoint)socket.LocalEndpoint).Port;
        }

        async Task ServeAsync()
        {
            while (listener.IsListening)
            {
                HttpListenerContext context;
                try { context = await listener.GetContextAsync(); }
                catch (Exception) { return; }
                Interlocked.Increment(ref Requests);
                var etag = $"\"{Body.GetHashCode():x}\"";
                if (FailuresBeforeSuccess > 0)
                {
                    FailuresBeforeSuccess--;
                    context.Response.StatusCode = 503;
                }
                else if (context.Request.Headers["If-None-Match"] == etag)
                {
                    context.Response.StatusCode = 304;
                }
                else
                {
                    context.Response.ContentType = "application/rss+xml";
                    context.Response.Headers["ETag"] = etag;
                    var bytes = System.Text.Encoding.UTF8.GetBytes(Body);
                    await context.Response.OutputStream.WriteAsync(bytes);
                }
                context.Response.Close();
            }
        }

        public async ValueTask DisposeAsync()
        {
            listener.Stop();
            listener.Close();
            await loop;
        }
    }

    [Fact]
    public async Task Feed_entries_become_content_items_once_with_retries_and_conditional_requests()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        await using var server = new FeedServer { Body = await File.ReadAllTextAsync(IngestTestDatabase.Sample("blog-feed.rss.xml")), FailuresBeforeSuccess = 1 };
        using var http = FeedCollector.CreateHttpClient(new IngestOptions { FeedTimeoutSeconds = 5 });
        var collector = new FeedCollector(db.DataSource, db.Pipeline, http, NullLogger<FeedCollector>.Instance) { RetryDelay = TimeSpan.FromMilliseconds(10) };
        await collector.AddFeedAsync(db.CampaignId, new Uri(server.Url), CancellationToken.None);

        var first = await collector.CollectAllAsync(CancellationToken.None);
        var second = await collector.CollectAllAsync(CancellationToken.None);
        server.Body = server.Body.Replace("</channel>", """
            <item><title>A third post</title><link>https://horizons.example.org/blog/third</link><guid>https://horizons.example.org/blog/third</guid></item>
            </channel>
            """);
        var third = await collector.CollectAllAsync(CancellationToken.None);

        Assert.Equal("2 new, 0 changed", first.Single().Status);
        Assert.Equal("not modified", second.Single().Status);
        Assert.Equal("1 new, 0 changed", third.Single().Status);
        Assert.Equal(4, server.Requests); // one failure retried, then one request per collection
        Assert.Equal(3, await db.ScalarAsync<int>("SELECT count(*) FROM content_items WHERE platform = 'feed' AND source = 'feed' AND predicted_at IS NULL"));
        Assert.Equal("1 new, 0 changed", await db.ScalarAsync<string>("SELECT last_status FROM campaign_feeds"));
    }

    [Fact]
    public async Task An_unreachable_feed_is_reported_as_failed_without_stopping_the_others()
    {
        await using var db = await IngestTestDatabase.CreateAsync();
        using var http = FeedCollector.CreateHttpClient(new IngestOptions { FeedTimeoutSeconds = 2 });
        var collector = new FeedCollector(db.DataSource, db.Pipeline, http, NullLogger<FeedCollector>.Instance) { RetryDelay = TimeSpan.FromMilliseconds(10) };
        await collector.AddFeedAsync(db.CampaignId, new Uri("http://127.0.0.1:1/feed.xml"), CancellationToken.None);

        var results = await collector.CollectAllAsync(CancellationToken.None);

        Assert.StartsWith("failed", results.Single().Status);
        Assert.StartsWith("failed", await db.ScalarAsync<string>("SELECT last_status FROM campaign_feeds"));
    }
}

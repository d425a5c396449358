using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;

namespace Narratives.Web.Security;

/// <summary>Limits on sign-in attempts and API calls; the answer past the limit is 429 with Retry-After.</summary>
public static class RateLimits
{
    public const string Api = "api";

    public static IServiceCollection AddNarrativesRateLimits(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SecurityOptions>>((o, security) =>
        {
            var settings = security.Value;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context =>
                IsSignInAttempt(context)
                    ? RateLimitPartition.GetFixedWindowLimiter("sign-in:" + ClientAddress(context), _ => Window(settings.SignInAttemptsPerMinute))
                    : RateLimitPartition.GetNoLimiter("none"));
            o.AddPolicy(Api, context =>
                RateLimitPartition.GetFixedWindowLimiter("api:" + (context.Request.Headers["X-Api-Key"].ToString() is { Length: > 8 } key ? key[..8] : ClientAddress(context)),
                    _ => Window(settings.ApiRequestsPerMinute)));
            o.OnRejected = async (rejected, ct) =>
            {
                var response = rejected.HttpContext.Response;
                var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromMinutes(1);
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                response.Headers.RetryAfter = Math.Ceiling(retryAfter.TotalSeconds).ToString(CultureInfo.InvariantCulture);
                await Results.Problem(statusCode: 429, title: "Too many requests",
                        detail: $"Too many requests from this address. Try again in {Math.Ceiling(retryAfter.TotalSeconds)} seconds.")
                    .ExecuteAsync(rejected.HttpContext);
            };
        });
        return services;
    }

    static FixedWindowRateLimiterOptions Window(int permits) => new()
    {
        PermitLimit = Math.Max(1, permits),
        Window = TimeSpan.FromMinutes(1),
        QueueLimit = 0,
    };

    static bool IsSignInAttempt(HttpContext context) =>
        HttpMethods.IsPost(context.Request.Method) && context.Request.Path.StartsWithSegments("/account/login");

    static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

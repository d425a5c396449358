using Microsoft.Extensions.DependencyInjection.Extensions;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Narratives.Core.Database;
using Narratives.Core.Demo;
using Narratives.Core.LocalDatabase;
using Narratives.Core.Overview;
using Narratives.Core.Reference;

namespace Narratives.Core;

public static class CoreServiceCollectionExtensions
{
    /// <summary>The database, reference data and the feature stores of Core.</summary>
    public static IServiceCollection AddNarrativesCore(this IServiceCollection services, DatabaseConnection database)
    {
        DapperConventions.Apply();
        services.AddSingleton(database);
        services.AddSingleton(_ => NarrativesDatabase.CreateDataSource(database.ConnectionString));
        services.AddSingleton(_ => Taxonomy.Load());
        services.AddSingleton<Migrator>();
        services.AddSingleton<DemoSeeder>();
        services.AddSingleton<DatabaseHealth>();
        services.AddSingleton<OverviewStore>();
        services.AddSingleton<Audit.AuditLog>();
        services.AddSingleton<Organizations.OrganizationStore>();
        services.AddSingleton<Initiatives.InitiativeStore>();
        services.AddSingleton<Initiatives.InitiativeEditing>();
        services.AddSingleton<Initiatives.InitiativeImport>();
        services.AddOptions<Initiatives.InitiativeOptions>().BindConfiguration(Initiatives.InitiativeOptions.Section)
            .Validate(o => o.StaleAfterMonths is >= 1 and <= 120, "Narratives:Initiatives:StaleAfterMonths must be 1 to 120.")
            .ValidateOnStart();
        services.AddSingleton<Accounts.ApiKeyStore>();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<Campaigns.CampaignStore>();
        services.AddSingleton<Campaigns.CampaignEditing>();
        services.AddSingleton<Analytics.RollupStore>();
        services.AddSingleton<Analytics.AnalyticsStore>();
        services.AddSingleton<Analytics.AnalyticsNotifier>();
        if (database.LocalCluster is not null)
            services.AddHostedService<LocalClusterLifetime>();
        return services;
    }
}

/// <summary>Stops the embedded PostgreSQL when the program that started it stops.</summary>
sealed class LocalClusterLifetime(DatabaseConnection database) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (database.LocalCluster is { } cluster)
            await cluster.DisposeAsync();
    }
}

public static class DapperConventions
{
    static int applied;

    /// <summary>snake_case columns map to PascalCase members; dates map to DateOnly; arrays to typed arrays.</summary>
    public static void Apply()
    {
        if (Interlocked.Exchange(ref applied, 1) == 1) return;
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        SqlMapper.AddTypeHandler(new DateOnlyHandler());
        SqlMapper.AddTypeHandler(new DateTimeOffsetHandler());
        // PostgreSQL arrays arrive as System.Array; these let positional records take them as typed arrays.
        SqlMapper.AddTypeHandler(new ArrayHandler<string>());
        SqlMapper.AddTypeHandler(new ArrayHandler<long>());
        SqlMapper.AddTypeHandler(new ArrayHandler<float>());
    }

    /// <summary>timestamptz arrives as a UTC DateTime; members typed DateTimeOffset get it with offset zero.</summary>
    sealed class DateTimeOffsetHandler : SqlMapper.TypeHandler<DateTimeOffset>
    {
        public override void SetValue(System.Data.IDbDataParameter parameter, DateTimeOffset value) => parameter.Value = value.ToUniversalTime();

        public override DateTimeOffset Parse(object value) => value switch
        {
            DateTimeOffset d => d,
            DateTime dt => new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc)),
            _ => throw new InvalidCastException($"Cannot read {value.GetType()} as a timestamp."),
        };
    }

    sealed class ArrayHandler<T> : SqlMapper.TypeHandler<T[]>
    {
        public override void SetValue(System.Data.IDbDataParameter parameter, T[]? value) => parameter.Value = (object?)value ?? DBNull.Value;

        public override T[] Parse(object value) => value as T[] ?? throw new InvalidCastException($"Cannot read {value.GetType()} as {typeof(T).Name}[].");
    }

    sealed class DateOnlyHandler : SqlMapper.TypeHandler<DateOnly>
    {
        public override void SetValue(System.Data.IDbDataParameter parameter, DateOnly value)
        {
            parameter.DbType = System.Data.DbType.Date;
            parameter.Value = value;
        }

        public override DateOnly Parse(object value) => value switch
        {
            DateOnly d => d,
            DateTime dt => DateOnly.FromDateTime(dt),
            _ => throw new InvalidCastException($"Cannot read {value.GetType()} as a date."),
        };
    }
}

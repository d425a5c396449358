using System.Text.Json;
using Dapper;
using Narratives.Core.Audit;
using Narratives.Ml.Evaluation;
using Narratives.Ml.Scoring;
using Narratives.Ml.Training;
using Npgsql;

namespace Narratives.Ml.Registry;

/// <summary>One stored model version, without its bytes.</summary>
public sealed record ModelVersion(long Id, string Task, string TaxonomyVersion, string TrainingDataHash, string Trainer,
    bool IsActive, string CreatedBy, DateTimeOffset CreatedAt, DateTimeOffset? ActivatedAt, int ModelBytes, string Metrics)
{
    public QualityReport? Report => JsonSerializer.Deserialize<QualityReport>(Metrics, ModelRegistry.Json);
}

/// <summary>The model versions in PostgreSQL: save, list, load, and activate one per task (roll back = reactivate the previous).</summary>
public sealed class ModelRegistry(NpgsqlDataSource db)
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<long> SaveAsync(ClassifierTask task, TextClassifier model, QualityReport report, string taxonomyVersion, string createdBy,
        bool activate, CancellationToken ct = default)
    {
        const string sql = """
            INSERT INTO model_versions (task, taxonomy_version, training_data_hash, trainer, metrics, model, created_by)
            VALUES (@task, @taxonomyVersion, @hash, @trainer, @metrics::jsonb, @model, @createdBy)
            RETURNING id
            """;
        long id;
        await using (var conn = await db.OpenConnectionAsync(ct))
            id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(sql, new
            {
                task = task.Id(), taxonomyVersion, hash = model.Manifest.TrainingDataHash,
                trainer = new TrainingOptions(model.Manifest.Trainer, model.Manifest.Features) { NaiveBayesScaling = model.Manifest.NaiveBayesScaled }
                    .Describe(model.MultiLabel),
                metrics = JsonSerializer.Serialize(report, Json), model = model.ToBytes(), createdBy,
            }, cancellationToken: ct));
        if (activate) await ActivateAsync(id, Actor.System(createdBy), ct);
        return id;
    }

    public async Task<IReadOnlyList<ModelVersion>> ListAsync(ClassifierTask task, CancellationToken ct = default)
    {
        const string sql = """
            SELECT id, task, taxonomy_version, training_data_hash, trainer, is_active, created_by, created_at, activated_at,
                   length(model) AS model_bytes, metrics::text AS metrics
            FROM model_versions
            WHERE task = @task
            ORDER BY created_at DESC, id DESC
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ModelVersion>(new CommandDefinition(sql, new { task = task.Id() }, cancellationToken: ct))).AsList();
    }

    /// <summary>The active version id of each task (absent when a task has none).</summary>
    public async Task<IReadOnlyDictionary<ClassifierTask, long>> ActiveIdsAsync(CancellationToken ct = default)
    {
        const string sql = "SELECT task, id FROM model_versions WHERE is_active";
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(string Task, long Id)>(new CommandDefinition(sql, cancellationToken: ct));
        return rows.ToDictionary(r => ClassifierTasks.Parse(r.Task), r => r.Id);
    }

    public async Task<TextClassifier> LoadAsync(long id, CancellationToken ct = default)
    {
        const string sql = "SELECT model FROM model_versions WHERE id = @id";
        await using var conn = await db.OpenConnectionAsync(ct);
        var bytes = await conn.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(sql, new { id }, cancellationToken: ct))
            ?? throw new KeyNotFoundException($"Model version {id} does not exist.");
        return TextClassifier.Load(bytes);
    }

    /// <summary>Makes a version its task's active one (the previous active one stays, inactive), recorded in the audit log.</summary>
    public async Task<ModelVersion> ActivateAsync(long id, Actor actor, CancellationToken ct = default)
    {
        const string find = "SELECT task FROM model_versions WHERE id = @id FOR UPDATE";
        const string previousSql = "SELECT id FROM model_versions WHERE task = @task AND is_active";
        const string deactivate = "UPDATE model_versions SET is_active = false WHERE task = @task AND is_active";
        const string activate = "UPDATE model_versions SET is_active = true, activated_at = now() WHERE id = @id";
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var task = await conn.QuerySingleOrDefaultAsync<string>(new CommandDefinition(find, new { id }, tx, cancellationToken: ct))
            ?? throw new KeyNotFoundException($"Model version {id} does not exist.");
        var previous = await conn.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(previousSql, new { task }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(deactivate, new { task }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(activate, new { id }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "activate", "model_version", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            new { task, activeVersion = previous }, new { task, activeVersion = id }, ct);
        await tx.CommitAsync(ct);
        return (await ListAsync(ClassifierTasks.Parse(task), ct)).Single(v => v.Id == id);
    }

    /// <summary>Reactivates the version that was active before the current one; null when there is none.</summary>
    public async Task<ModelVersion?> RollBackAsync(ClassifierTask task, Actor actor, CancellationToken ct = default)
    {
        const string sql = """
            SELECT id FROM model_versions
            WHERE task = @task AND NOT is_active AND activated_at IS NOT NULL
            ORDER BY activated_at DESC, id DESC
            LIMIT 1
            """;
        long? previous;
        await using (var conn = await db.OpenConnectionAsync(ct))
            previous = await conn.QuerySingleOrDefaultAsync<long?>(new CommandDefinition(sql, new { task = task.Id() }, cancellationToken: ct));
        return previous is { } id ? await ActivateAsync(id, actor, ct) : null;
    }
}

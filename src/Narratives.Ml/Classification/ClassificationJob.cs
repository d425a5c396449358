using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Narratives.Ml.Registry;
using Npgsql;

namespace Narratives.Ml.Classification;

/// <summary>
/// Classifies the content items waiting for it: ingest leaves predicted_at NULL on new and changed items, and this job
/// scores them in batches with the active models, storing theme, audiences, confidences and model versions.
/// </summary>
public sealed class ClassificationJob(NpgsqlDataSource db, ActiveModels models, IOptions<ClassifierOptions> options, ILogger<ClassificationJob> logger)
{
    /// <summary>The text the classifier sees for an item: its title and its text.</summary>
    public static string TextOf(string? title, string? text) =>
        string.IsNullOrWhiteSpace(title) ? text ?? "" : string.IsNullOrWhiteSpace(text) ? title : $"{title}\n{text}";

    /// <summary>Scores every waiting item; returns how many. Does nothing until both models are loaded.</summary>
    public async Task<int> ClassifyPendingAsync(CancellationToken ct = default)
    {
        var total = 0;
        while (true)
        {
            var done = await ClassifyBatchAsync(ct);
            if (done == 0) break;
            total += done;
        }
        if (total > 0) logger.LogInformation("Classified {Count} content items", total);
        return total;
    }

    async Task<int> ClassifyBatchAsync(CancellationToken ct)
    {
        if (models.Theme is not { } theme || models.Audience is not { } audience) return 0;
        const string select = """
            SELECT id, title, text FROM content_items
            WHERE predicted_at IS NULL
            ORDER BY id
            LIMIT @limit
            """;
        // One statement for the whole batch; audiences travel as ';'-joined strings because PostgreSQL arrays of
        // arrays must be rectangular. An item edited since it was read (updated_at moved) stays queued.
        const string update = """
            UPDATE content_items ci
            SET predicted_theme = u.theme,
                predicted_theme_confidence = u.theme_confidence,
                predicted_audiences = string_to_array(u.audiences, ';'),
                predicted_audience_confidences = string_to_array(u.audience_confidences, ';')::real[],
                theme_model_version_id = @themeVersion,
                audience_model_version_id = @audienceVersion,
                predicted_at = now()
            FROM unnest(@ids, @themes, @themeConfidences, @audiences, @audienceConfidences)
                 AS u(id, theme, theme_confidence, audiences, audience_confidences)
            WHERE ci.id = u.id AND ci.predicted_at IS NULL
            """;
        List<(long Id, string? Title, string? Text)> rows;
        await using (var conn = await db.OpenConnectionAsync(ct))
            rows = (await conn.QueryAsync<(long, string?, string?)>(new CommandDefinition(select, new { limit = Math.Clamp(options.Value.BatchSize, 1, 50_000) }, cancellationToken: ct))).AsList();
        if (rows.Count == 0) return 0;

        var texts = rows.Select(r => TextOf(r.Title, r.Text)).ToList();
        var themes = await Task.Run(() => theme.Classifier.PredictBatch(texts, ct), ct);
        var audiences = await Task.Run(() => audience.Classifier.PredictBatch(texts, ct), ct);
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        await using (var conn = await db.OpenConnectionAsync(ct))
            await conn.ExecuteAsync(new CommandDefinition(update, new
            {
                ids = rows.Select(r => r.Id).ToArray(),
                themes = themes.Select(p => p.Top).ToArray(),
                themeConfidences = themes.Select(p => p.TopConfidence).ToArray(),
                audiences = audiences.Select(p => string.Join(';', p.Chosen.Select(c => c.Label))).ToArray(),
                audienceConfidences = audiences.Select(p => string.Join(';', p.Chosen.Select(c => c.Confidence.ToString("R", inv)))).ToArray(),
                themeVersion = theme.VersionId,
                audienceVersion = audience.VersionId,
            }, cancellationToken: ct));
        return rows.Count;
    }

    /// <summary>Queues every unreviewed item again, so that a newly activated model re-scores them.</summary>
    public async Task<int> RequeueUnreviewedAsync(CancellationToken ct = default)
    {
        const string sql = "UPDATE content_items SET predicted_at = NULL WHERE predicted_at IS NOT NULL AND reviewed_at IS NULL";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(sql, cancellationToken: ct));
    }
}

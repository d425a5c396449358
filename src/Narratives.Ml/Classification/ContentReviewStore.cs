using Dapper;
using Narratives.Core;
using Narratives.Core.Audit;
using Narratives.Core.Reference;
using Narratives.Ml.Training;
using Npgsql;

namespace Narratives.Ml.Classification;

/// <summary>Whose content items a person may see and correct: every item (staff) or one organization's (a partner).</summary>
public sealed record ReviewScope(long? OrganizationId)
{
    public static ReviewScope Everything { get; } = new((long?)null);
    public static ReviewScope Organization(long id) => new(id);
}

public sealed record ReviewItem(
    long Id, string CampaignName, string Platform, string Title, string Text, string? Language,
    string? PredictedTheme, float? PredictedThemeConfidence, string[]? PredictedAudiences, float[]? PredictedAudienceConfidences,
    long? ThemeModelVersionId, DateTimeOffset? PredictedAt,
    string? ReviewedTheme, string[]? ReviewedAudiences, DateTimeOffset? ReviewedAt)
{
    /// <summary>The labels every chart uses: the reviewed ones when a person has set them, else the prediction.</summary>
    public string? Theme => ReviewedTheme ?? PredictedTheme;
    public bool Reviewed => ReviewedAt is not null;
}

public enum ReviewFilter
{
    /// <summary>Classified, not reviewed, below the confidence threshold.</summary>
    NeedsReview,
    /// <summary>Classified and not reviewed, whatever the confidence.</summary>
    Unreviewed,
    All,
}

public sealed record ReviewCounts(int NeedsReview, int Unreviewed, int AwaitingClassification, int Reviewed);

/// <summary>Content items' labels: the review queue, corrections (audited), and reviewed labels for the next training run.</summary>
public sealed class ContentReviewStore(NpgsqlDataSource db, Taxonomy taxonomy)
{
    public async Task<IReadOnlyList<ReviewItem>> ListPageAsync(ReviewScope scope, ReviewFilter filter, float threshold, int page, int pageSize,
        CancellationToken ct = default)
    {
        // Low confidence first; items already reviewed last.
        const string sql = """
            SELECT ci.id, c.name AS campaign_name, ci.platform, ci.title, ci.text, ci.language,
                   ci.predicted_theme, ci.predicted_theme_confidence, ci.predicted_audiences, ci.predicted_audience_confidences,
                   ci.theme_model_version_id, ci.predicted_at, ci.reviewed_theme, ci.reviewed_audiences, ci.reviewed_at
            FROM content_items ci
            JOIN campaigns c ON c.id = ci.campaign_id
            WHERE (@org::bigint IS NULL OR c.organization_id = @org)
              AND (@filter = 'all'
                   OR (ci.predicted_at IS NOT NULL AND ci.reviewed_at IS NULL
                       AND (@filter = 'unreviewed' OR ci.predicted_theme_confidence < @threshold)))
            ORDER BY (ci.reviewed_at IS NOT NULL), ci.predicted_theme_confidence ASC NULLS LAST, ci.id
            LIMIT @pageSize OFFSET @offset
            """;
        pageSize = Math.Clamp(pageSize, 1, 200);
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<ReviewItem>(new CommandDefinition(sql, new
        {
            org = scope.OrganizationId, filter = FilterId(filter), threshold, pageSize, offset = Math.Max(0, page) * pageSize,
        }, cancellationToken: ct))).AsList();
    }

    public async Task<ReviewCounts> CountAsync(ReviewScope scope, float threshold, CancellationToken ct = default)
    {
        const string sql = """
            SELECT count(*) FILTER (WHERE ci.predicted_at IS NOT NULL AND ci.reviewed_at IS NULL AND ci.predicted_theme_confidence < @threshold)::int AS needs_review,
                   count(*) FILTER (WHERE ci.predicted_at IS NOT NULL AND ci.reviewed_at IS NULL)::int AS unreviewed,
                   count(*) FILTER (WHERE ci.predicted_at IS NULL)::int AS awaiting_classification,
                   count(*) FILTER (WHERE ci.reviewed_at IS NOT NULL)::int AS reviewed
            FROM content_items ci
            JOIN campaigns c ON c.id = ci.campaign_id
            WHERE (@org::bigint IS NULL OR c.organization_id = @org)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleAsync<ReviewCounts>(new CommandDefinition(sql, new { org = scope.OrganizationId, threshold }, cancellationToken: ct));
    }

    public async Task<ReviewItem?> GetAsync(ReviewScope scope, long id, CancellationToken ct = default)
    {
        const string sql = """
            SELECT ci.id, c.name AS campaign_name, ci.platform, ci.title, ci.text, ci.language,
                   ci.predicted_theme, ci.predicted_theme_confidence, ci.predicted_audiences, ci.predicted_audience_confidences,
                   ci.theme_model_version_id, ci.predicted_at, ci.reviewed_theme, ci.reviewed_audiences, ci.reviewed_at
            FROM content_items ci
            JOIN campaigns c ON c.id = ci.campaign_id
            WHERE ci.id = @id AND (@org::bigint IS NULL OR c.organization_id = @org)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<ReviewItem>(new CommandDefinition(sql, new { id, org = scope.OrganizationId }, cancellationToken: ct));
    }

    /// <summary>
    /// Stores a person's theme and audiences for an item (confirming the prediction or correcting it), with the labels
    /// before and after in the audit log. An item outside the scope is refused as if it did not exist.
    /// </summary>
    public async Task<Outcome<ReviewItem>> ReviewAsync(ReviewScope scope, long id, string theme, IReadOnlyCollection<string> audiences, Actor actor,
        CancellationToken ct = default)
    {
        if (!taxonomy.IsTheme(theme)) return Outcome<ReviewItem>.Invalid("theme", $"'{theme}' is not a theme of the taxonomy.");
        var cleaned = audiences.Distinct(StringComparer.Ordinal).ToArray();
        if (cleaned.Length == 0) return Outcome<ReviewItem>.Invalid("audiences", "Choose at least one audience.");
        if (cleaned.FirstOrDefault(a => !taxonomy.IsAudience(a)) is { } unknown)
            return Outcome<ReviewItem>.Invalid("audiences", $"'{unknown}' is not an audience of the taxonomy.");
        cleaned = taxonomy.Audiences.Select(a => a.Id).Where(cleaned.Contains).ToArray();

        const string lockSql = """
            SELECT ci.reviewed_theme, ci.reviewed_audiences, ci.predicted_theme, ci.predicted_audiences
            FROM content_items ci
            JOIN campaigns c ON c.id = ci.campaign_id
            WHERE ci.id = @id AND (@org::bigint IS NULL OR c.organization_id = @org)
            FOR UPDATE OF ci
            """;
        const string update = """
            UPDATE content_items
            SET reviewed_theme = @theme, reviewed_audiences = @audiences, reviewed_by = @userId, reviewed_at = now()
            WHERE id = @id
            """;
        await using (var conn = await db.OpenConnectionAsync(ct))
        await using (var tx = await conn.BeginTransactionAsync(ct))
        {
            var before = await conn.QuerySingleOrDefaultAsync<(string? ReviewedTheme, string[]? ReviewedAudiences, string? PredictedTheme, string[]? PredictedAudiences)?>(
                new CommandDefinition(lockSql, new { id, org = scope.OrganizationId }, tx, cancellationToken: ct));
            if (before is not { } b) return Outcome<ReviewItem>.Invalid("item", "This content item does not exist or is not yours to review.");
            await conn.ExecuteAsync(new CommandDefinition(update, new { id, theme, audiences = cleaned, userId = actor.UserId }, tx, cancellationToken: ct));
            await AuditLog.RecordAsync(conn, tx, actor, "update", "content_item", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new { reviewedTheme = b.ReviewedTheme, reviewedAudiences = b.ReviewedAudiences, predictedTheme = b.PredictedTheme, predictedAudiences = b.PredictedAudiences },
                new { reviewedTheme = theme, reviewedAudiences = cleaned }, ct);
            await tx.CommitAsync(ct);
        }
        return Outcome<ReviewItem>.Ok((await GetAsync(scope, id, ct))!);
    }

    /// <summary>Reviewed items as training rows for a task: what people said, which the next model learns from.</summary>
    public async Task<IReadOnlyList<LabelledText>> ReviewedForTrainingAsync(ClassifierTask task, CancellationToken ct = default)
    {
        const string sql = """
            SELECT ci.id, ci.title, ci.text, ci.language, ci.reviewed_theme, ci.reviewed_audiences
            FROM content_items ci
            WHERE ci.reviewed_at IS NOT NULL AND btrim(ci.title || ci.text) <> ''
            ORDER BY ci.id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<(long Id, string Title, string Text, string? Language, string ReviewedTheme, string[]? ReviewedAudiences)>(
            new CommandDefinition(sql, cancellationToken: ct));
        return rows
            .Select(r => new LabelledText(ClassificationJob.TextOf(r.Title, r.Text),
                task == ClassifierTask.Theme ? [r.ReviewedTheme] : (IReadOnlyList<string>)(r.ReviewedAudiences ?? []), r.Language))
            .Where(r => r.Labels.Count > 0 && r.Labels.All(l => task == ClassifierTask.Theme ? taxonomy.IsTheme(l) : taxonomy.IsAudience(l)))
            .ToList();
    }

    static string FilterId(ReviewFilter filter) => filter switch
    {
        ReviewFilter.NeedsReview => "needs-review",
        ReviewFilter.Unreviewed => "unreviewed",
        _ => "all",
    };
}

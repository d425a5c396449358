using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Reference;
using Npgsql;

namespace Narratives.Core.Campaigns;

/// <summary>
/// Changing campaigns and what hangs off them (KPIs, variants, hand-added content, outcome measurements). Each change
/// and its audit entry (who, when, before and after) commit in one transaction. Who may change which campaign is
/// checked by the caller against <see cref="CampaignStore.OwnerOfAsync"/> before calling.
/// </summary>
public sealed class CampaignEditing(NpgsqlDataSource db, Taxonomy taxonomy, TimeProvider clock)
{
    DateOnly Today => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);

    public async Task<Outcome<long>> CreateAsync(long organizationId, CampaignInput input, Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var errors = await ValidateAsync(conn, input, ct);
        if (!await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM organizations WHERE id = @organizationId AND is_active)", new { organizationId }, cancellationToken: ct)))
            errors["OrganizationId"] = "Choose an active organization.";
        if (errors.Count > 0) return Outcome<long>.Invalid(errors);
        var i = input.Cleaned();
        const string insert = """
            INSERT INTO campaigns (initiative_id, organization_id, name, status, is_published, start_date, end_date, budget, currency, goal_text,
                audiences, target_countries, target_languages, age_min, age_max, audience_description, themes, key_message, messenger,
                platforms, offline_channels, is_paid, call_to_action, landing_url, monitoring_metrics, outcome_measures, baseline, created_by)
            VALUES (@InitiativeId, @organizationId, @Name, @Status, @IsPublished, @StartDate, @EndDate, @Budget, @Currency, @GoalText,
                @Audiences, @TargetCountries, @TargetLanguages, @AgeMin, @AgeMax, @AudienceDescription, @Themes, @KeyMessage, @Messenger,
                @Platforms, @OfflineChannels, @IsPaid, @CallToAction, @LandingUrl, @MonitoringMetrics, @OutcomeMeasures, @Baseline, @UserId)
            RETURNING id
            """;
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(insert, Row(i, organizationId, actor), tx, cancellationToken: ct));
        await SetKpisAsync(conn, tx, id, i.Kpis, ct);
        await AuditLog.RecordAsync(conn, tx, actor, "create", "campaign", Key(id), null, Snapshot(i, organizationId), ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(id);
    }

    /// <summary>Saves a changed campaign; a form opened before someone else's change is refused (expectedVersion), not overwritten.</summary>
    public async Task<Outcome<int>> UpdateAsync(long id, int? expectedVersion, CampaignInput input, Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var errors = await ValidateAsync(conn, input, ct);
        if (errors.Count > 0) return Outcome<int>.Invalid(errors);
        var i = input.Cleaned();
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockAsync(conn, tx, id, ct);
        if (current is null) return Outcome<int>.Invalid("Id", $"There is no campaign {id}.");
        if (expectedVersion is { } expected && current.Version != expected)
            return Outcome<int>.Invalid("Version", "Someone else changed this campaign since you opened it. Reload to see their change, then make yours again.");
        var before = await SnapshotAsync(conn, tx, id, current.OrganizationId, ct);
        const string update = """
            UPDATE campaigns SET initiative_id = @InitiativeId, name = @Name, status = @Status, is_published = @IsPublished,
                start_date = @StartDate, end_date = @EndDate, budget = @Budget, currency = @Currency, goal_text = @GoalText,
                audiences = @Audiences, target_countries = @TargetCountries, target_languages = @TargetLanguages, age_min = @AgeMin,
                age_max = @AgeMax, audience_description = @AudienceDescription, themes = @Themes, key_message = @KeyMessage,
                messenger = @Messenger, platforms = @Platforms, offline_channels = @OfflineChannels, is_paid = @IsPaid,
                call_to_action = @CallToAction, landing_url = @LandingUrl, monitoring_metrics = @MonitoringMetrics,
                outcome_measures = @OutcomeMeasures, baseline = @Baseline, version = version + 1, updated_at = now()
            WHERE id = @id
            RETURNING version
            """;
        var row = Row(i, current.OrganizationId, actor);
        row.Add("id", id);
        var version = await conn.ExecuteScalarAsync<int>(new CommandDefinition(update, row, tx, cancellationToken: ct));
        await SetKpisAsync(conn, tx, id, i.Kpis, ct);
        await AuditLog.RecordAsync(conn, tx, actor, "update", "campaign", Key(id), before, Snapshot(i, current.OrganizationId), ct);
        await tx.CommitAsync(ct);
        return Outcome<int>.Ok(version);
    }

    /// <summary>
    /// Archives a campaign: it leaves lists and charts but nothing is destroyed, and it can be restored. A campaign that
    /// has content or outcome measurements is archived only when the person has confirmed.
    /// </summary>
    public async Task<Outcome<bool>> ArchiveAsync(long id, bool confirmed, Actor actor, CancellationToken ct = default)
    {
        const string counts = """
            SELECT (SELECT count(*) FROM content_items WHERE campaign_id = @id) + (SELECT count(*) FROM outcome_measurements WHERE campaign_id = @id)
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockAsync(conn, tx, id, ct);
        if (current is null) return Outcome<bool>.Invalid("Id", $"There is no campaign {id}.");
        if (current.ArchivedAt is not null) return Outcome<bool>.Ok(false);
        var data = await conn.ExecuteScalarAsync<long>(new CommandDefinition(counts, new { id }, tx, cancellationToken: ct));
        if (data > 0 && !confirmed)
            return Outcome<bool>.Invalid("Confirm", $"This campaign has {data} content items and outcome measurements. Confirm to archive it; nothing is deleted and it can be restored.");
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE campaigns SET archived_at = now(), is_published = false, version = version + 1, updated_at = now() WHERE id = @id", new { id }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "archive", "campaign", Key(id), new { archived = false, current.IsPublished }, new { archived = true, is_published = false }, ct);
        await tx.CommitAsync(ct);
        return Outcome<bool>.Ok(true);
    }

    public async Task<Outcome<bool>> RestoreAsync(long id, Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LockAsync(conn, tx, id, ct);
        if (current is null) return Outcome<bool>.Invalid("Id", $"There is no campaign {id}.");
        if (current.ArchivedAt is null) return Outcome<bool>.Ok(false);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE campaigns SET archived_at = NULL, version = version + 1, updated_at = now() WHERE id = @id", new { id }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "restore", "campaign", Key(id), new { archived = true }, new { archived = false }, ct);
        await tx.CommitAsync(ct);
        return Outcome<bool>.Ok(true);
    }

    public async Task<Outcome<long>> AddVariantAsync(long campaignId, VariantInput input, Actor actor, CancellationToken ct = default)
    {
        var errors = input.Validate();
        if (errors.Count > 0) return Outcome<long>.Invalid(errors);
        var v = input with { Name = input.Name.Trim(), Description = input.Description.Trim() };
        const string insert = """
            INSERT INTO campaign_variants (campaign_id, name, is_control, description) VALUES (@campaignId, @Name, @IsControl, @Description)
            ON CONFLICT DO NOTHING
            RETURNING id
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(insert, new { campaignId, v.Name, v.IsControl, v.Description }, tx, cancellationToken: ct));
        if (id is null)
            return v.IsControl && await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                    "SELECT EXISTS (SELECT 1 FROM campaign_variants WHERE campaign_id = @campaignId AND is_control)", new { campaignId }, tx, cancellationToken: ct))
                ? Outcome<long>.Invalid(nameof(VariantInput.IsControl), "This campaign already has a control.")
                : Outcome<long>.Invalid(nameof(VariantInput.Name), $"This campaign already has a variant called '{v.Name}'.");
        await AuditLog.RecordAsync(conn, tx, actor, "create", "campaign_variant", Key(id.Value), null, new { campaign_id = campaignId, v.Name, v.IsControl, v.Description }, ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(id.Value);
    }

    /// <summary>Adds a content item by hand. Its predicted tags are left empty, which queues it for the classifier.</summary>
    public async Task<Outcome<long>> AddContentAsync(long campaignId, ContentInput input, Actor actor, CancellationToken ct = default)
    {
        var errors = input.Validate(Today);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (input.VariantId is { } variantId && !await VariantBelongsAsync(conn, campaignId, variantId, ct))
            errors[nameof(ContentInput.VariantId)] = "Choose a variant of this campaign.";
        if (errors.Count > 0) return Outcome<long>.Invalid(errors);
        var permalink = string.IsNullOrWhiteSpace(input.Permalink) ? null : input.Permalink.Trim();
        var externalId = permalink ?? $"manual-{Guid.NewGuid():N}";
        const string insert = """
            INSERT INTO content_items (campaign_id, variant_id, platform, external_id, permalink, title, text, language, published_at, source, created_by)
            VALUES (@campaignId, @VariantId, @Platform, @externalId, @permalink, @Title, @Text, @language, @publishedAt, 'manual', @UserId)
            ON CONFLICT (platform, external_id) DO NOTHING
            RETURNING id
            """;
        await using var tx = await conn.BeginTransactionAsync(ct);
        var args = new
        {
            campaignId, input.VariantId, input.Platform, externalId, permalink, Title = input.Title.Trim(), Text = input.Text.Trim(),
            language = string.IsNullOrWhiteSpace(input.Language) ? null : input.Language.Trim().ToLowerInvariant(),
            publishedAt = input.PublishedOn?.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc), actor.UserId,
        };
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(insert, args, tx, cancellationToken: ct));
        if (id is null) return Outcome<long>.Invalid(nameof(ContentInput.Permalink), "This link is already recorded as a content item.");
        await AuditLog.RecordAsync(conn, tx, actor, "create", "content_item", Key(id.Value), null, args, ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(id.Value);
    }

    public async Task<Outcome<long>> RecordOutcomeAsync(long campaignId, OutcomeInput input, Actor actor, CancellationToken ct = default)
    {
        var errors = input.Validate(Today);
        await using var conn = await db.OpenConnectionAsync(ct);
        if (input.VariantId is { } variantId && !await VariantBelongsAsync(conn, campaignId, variantId, ct))
            errors[nameof(OutcomeInput.VariantId)] = "Choose a variant of this campaign.";
        if (errors.Count > 0) return Outcome<long>.Invalid(errors);
        var o = Shaped(input);
        const string insert = """
            INSERT INTO outcome_measurements (campaign_id, variant_id, kind, question, design, arm, sample_size, agreeing, conversion_type,
                count, note, evidence_url, measured_on, recorded_by)
            VALUES (@campaignId, @VariantId, @Kind, @Question, @Design, @Arm, @SampleSize, @Agreeing, @ConversionType, @Count, @Note,
                @EvidenceUrl, @MeasuredOn, @UserId)
            RETURNING id
            """;
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(insert, new
        {
            campaignId, o.VariantId, o.Kind, o.Question, o.Design, o.Arm, o.SampleSize, o.Agreeing, o.ConversionType, o.Count, o.Note,
            o.EvidenceUrl, o.MeasuredOn, actor.UserId,
        }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "create", "outcome_measurement", Key(id), null, o with { }, ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(id);
    }

    /// <summary>Removes a measurement entered by mistake; the audit log keeps what it said.</summary>
    public async Task<Outcome<bool>> DeleteOutcomeAsync(long campaignId, long outcomeId, Actor actor, CancellationToken ct = default)
    {
        const string delete = """
            DELETE FROM outcome_measurements WHERE id = @outcomeId AND campaign_id = @campaignId
            RETURNING kind, variant_id, question, design, arm, sample_size, agreeing, conversion_type, count, note, evidence_url, measured_on
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await conn.QuerySingleOrDefaultAsync(new CommandDefinition(delete, new { campaignId, outcomeId }, tx, cancellationToken: ct));
        if (before is null) return Outcome<bool>.Invalid("Id", $"Campaign {campaignId} has no outcome measurement {outcomeId}.");
        await AuditLog.RecordAsync(conn, tx, actor, "delete", "outcome_measurement", Key(outcomeId), (object)before, null, ct);
        await tx.CommitAsync(ct);
        return Outcome<bool>.Ok(true);
    }

    /// <summary>Only the fields that belong to the measurement's kind are kept.</summary>
    static OutcomeInput Shaped(OutcomeInput i) => i.Kind switch
    {
        "survey" => new OutcomeInput(i.Kind, i.VariantId, i.MeasuredOn, i.Question?.Trim(), i.Design, i.Arm, i.SampleSize, i.Agreeing, EvidenceUrl: Trim(i.EvidenceUrl), Note: Trim(i.Note)),
        "conversion" => new OutcomeInput(i.Kind, i.VariantId, i.MeasuredOn, ConversionType: i.ConversionType, Count: i.Count, Note: Trim(i.Note), EvidenceUrl: Trim(i.EvidenceUrl)),
        _ => new OutcomeInput(i.Kind, i.VariantId, i.MeasuredOn, Note: i.Note?.Trim(), EvidenceUrl: Trim(i.EvidenceUrl)),
    };

    static string? Trim(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    static async Task<bool> VariantBelongsAsync(NpgsqlConnection conn, long campaignId, long variantId, CancellationToken ct) =>
        await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM campaign_variants WHERE id = @variantId AND campaign_id = @campaignId)", new { campaignId, variantId }, cancellationToken: ct));

    async Task<Dictionary<string, string>> ValidateAsync(NpgsqlConnection conn, CampaignInput input, CancellationToken ct)
    {
        var errors = input.Validate(taxonomy, await CountryReference.CodesAsync(conn, ct));
        if (input.InitiativeId > 0 && !await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM initiatives WHERE id = @InitiativeId AND archived_at IS NULL)", new { input.InitiativeId }, cancellationToken: ct)))
            errors[nameof(CampaignInput.InitiativeId)] = $"There is no open initiative {input.InitiativeId}.";
        return errors;
    }

    sealed record Locked(long OrganizationId, int Version, bool IsPublished, DateTimeOffset? ArchivedAt);

    static Task<Locked?> LockAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct) =>
        conn.QuerySingleOrDefaultAsync<Locked>(new CommandDefinition(
            "SELECT organization_id, version, is_published, archived_at FROM campaigns WHERE id = @id FOR UPDATE", new { id }, tx, cancellationToken: ct));

    async Task<object> SnapshotAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, long organizationId, CancellationToken ct)
    {
        const string sql = """
            SELECT initiative_id, name, status, is_published, start_date, end_date, budget, currency::text AS currency, goal_text, audiences,
                   target_countries, target_languages, age_min, age_max, audience_description, themes, key_message, messenger, platforms,
                   offline_channels, is_paid, call_to_action, landing_url, monitoring_metrics, outcome_measures, baseline
            FROM campaigns WHERE id = @id
            """;
        const string kpis = "SELECT metric, target, deadline, description FROM campaign_kpis WHERE campaign_id = @id ORDER BY id";
        var row = await conn.QuerySingleAsync<SnapshotRow>(new CommandDefinition(sql, new { id }, tx, cancellationToken: ct));
        var list = (await conn.QueryAsync<KpiInput>(new CommandDefinition(kpis, new { id }, tx, cancellationToken: ct))).ToArray();
        return Snapshot(row.ToInput(list), organizationId);
    }

    sealed record SnapshotRow(long InitiativeId, string Name, string Status, bool IsPublished, DateOnly? StartDate, DateOnly? EndDate, decimal? Budget,
        string? Currency, string GoalText, string[] Audiences, string[] TargetCountries, string[] TargetLanguages, int? AgeMin, int? AgeMax,
        string AudienceDescription, string[] Themes, string KeyMessage, string? Messenger, string[] Platforms, string[] OfflineChannels,
        bool IsPaid, string CallToAction, string? LandingUrl, string[] MonitoringMetrics, string[] OutcomeMeasures, string Baseline)
    {
        public CampaignInput ToInput(KpiInput[] kpis) => new(InitiativeId, Name, Status, IsPublished, StartDate, EndDate, Budget, Currency, GoalText,
            kpis, Audiences, TargetCountries, TargetLanguages, AgeMin, AgeMax, AudienceDescription, Themes, KeyMessage, Messenger, Platforms,
            OfflineChannels, IsPaid, CallToAction, LandingUrl, MonitoringMetrics, OutcomeMeasures, Baseline);
    }

    static object Snapshot(CampaignInput i, long organizationId) => new { organization_id = organizationId, campaign = i };

    static async Task SetKpisAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, IReadOnlyList<KpiInput> kpis, CancellationToken ct)
    {
        const string replace = """
            DELETE FROM campaign_kpis WHERE campaign_id = @id;
            INSERT INTO campaign_kpis (campaign_id, metric, target, deadline, description)
            SELECT @id, k.metric, k.target, k.deadline, k.description
            FROM unnest(@metrics::text[], @targets::numeric[], @deadlines::date[], @descriptions::text[]) AS k(metric, target, deadline, description);
            """;
        await conn.ExecuteAsync(new CommandDefinition(replace, new
        {
            id,
            metrics = kpis.Select(k => k.Metric).ToArray(),
            targets = kpis.Select(k => k.Target).ToArray(),
            deadlines = kpis.Select(k => k.Deadline!.Value).ToArray(),
            descriptions = kpis.Select(k => k.Description).ToArray(),
        }, tx, cancellationToken: ct));
    }

    static DynamicParameters Row(CampaignInput i, long organizationId, Actor actor)
    {
        var p = new DynamicParameters(new
        {
            i.InitiativeId, organizationId, i.Name, i.Status, i.IsPublished, i.StartDate, i.EndDate, i.Budget, i.Currency, i.GoalText,
            Audiences = i.Audiences.ToArray(), TargetCountries = i.TargetCountries.ToArray(), TargetLanguages = i.TargetLanguages.ToArray(),
            i.AgeMin, i.AgeMax, i.AudienceDescription, Themes = i.Themes.ToArray(), i.KeyMessage, i.Messenger,
            Platforms = i.Platforms.ToArray(), OfflineChannels = i.OfflineChannels.ToArray(), i.IsPaid, i.CallToAction, i.LandingUrl,
            MonitoringMetrics = i.MonitoringMetrics.ToArray(), OutcomeMeasures = i.OutcomeMeasures.ToArray(), i.Baseline, actor.UserId,
        });
        return p;
    }

    static string Key(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);
}

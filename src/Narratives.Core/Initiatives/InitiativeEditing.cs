using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using Narratives.Core.Audit;
using Narratives.Core.Reference;
using Npgsql;

namespace Narratives.Core.Initiatives;

/// <summary>
/// Creating, changing, archiving and verifying initiatives. Every change bumps the version (a stale form is refused,
/// not silently overwritten), writes a history entry with the field-by-field difference, and an audit entry, in one
/// transaction with the change itself.
/// </summary>
public sealed class InitiativeEditing(NpgsqlDataSource db, Taxonomy taxonomy)
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public async Task<Outcome<long>> CreateAsync(InitiativeInput input, Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var errors = input.Validate(taxonomy, await CountryReference.CodesAsync(conn, ct));
        if (errors.Count > 0) return Outcome<long>.Invalid(errors);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var id = await InsertAsync(conn, tx, input.Cleaned(), actor, "created", ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(id);
    }

    async Task<long> InsertAsync(NpgsqlConnection conn, NpgsqlTransaction tx, InitiativeInput i, Actor actor, string kind, CancellationToken ct)
    {
        const string insert = """
            INSERT INTO initiatives (name, short_description, description, scope, lead_organization, lead_type, partner_organizations,
                themes, audiences, languages, channels, status, start_date, end_date, website, social_links, contact_name,
                contact_email, notes)
            VALUES (@Name, @ShortDescription, @Description, @Scope, @LeadOrganization, @LeadType, @PartnerOrganizations,
                @Themes, @Audiences, @Languages, @Channels, @Status, @StartDate, @EndDate, @Website, @SocialLinks, @ContactName,
                @ContactEmail, @Notes)
            RETURNING id
            """;
        var id = await conn.ExecuteScalarAsync<long>(new CommandDefinition(insert, Row(i), tx, cancellationToken: ct));
        await SetCountriesAsync(conn, tx, id, i.Countries, ct);
        await RecordAsync(conn, tx, id, 1, actor, kind, null, Snapshot(i, "unverified"), ct);
        return id;
    }

    public async Task<Outcome<int>> UpdateAsync(long id, int expectedVersion, InitiativeInput input, Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var errors = input.Validate(taxonomy, await CountryReference.CodesAsync(conn, ct));
        if (errors.Count > 0) return Outcome<int>.Invalid(errors);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var outcome = await ApplyAsync(conn, tx, id, expectedVersion, input.Cleaned(), actor, "updated", ct);
        if (outcome.Succeeded) await tx.CommitAsync(ct);
        return outcome;
    }

    async Task<Outcome<int>> ApplyAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, int? expectedVersion, InitiativeInput i,
        Actor actor, string kind, CancellationToken ct)
    {
        var current = await LoadForUpdateAsync(conn, tx, id, ct);
        if (current is null) return Outcome<int>.Invalid("Id", $"There is no initiative {id}.");
        if (expectedVersion is { } expected && current.Value.Version != expected)
            return Outcome<int>.Invalid("Version", "Someone else changed this initiative since you opened it. Reload to see their change, then make yours again.");

        const string update = """
            UPDATE initiatives SET name = @Name, short_description = @ShortDescription, description = @Description, scope = @Scope,
                lead_organization = @LeadOrganization, lead_type = @LeadType, partner_organizations = @PartnerOrganizations,
                themes = @Themes, audiences = @Audiences, languages = @Languages, channels = @Channels, status = @Status,
                start_date = @StartDate, end_date = @EndDate, website = @Website, social_links = @SocialLinks,
                contact_name = @ContactName, contact_email = @ContactEmail, notes = @Notes,
                version = version + 1, updated_at = now()
            WHERE id = @Id
            """;
        var row = Row(i);
        row.Add("Id", id);
        await conn.ExecuteAsync(new CommandDefinition(update, row, tx, cancellationToken: ct));
        await SetCountriesAsync(conn, tx, id, i.Countries, ct);
        var version = current.Value.Version + 1;
        await RecordAsync(conn, tx, id, version, actor, kind, current.Value.Snapshot, Snapshot(i, current.Value.Verification), ct);
        return Outcome<int>.Ok(version);
    }

    /// <summary>
    /// Applies checked rows of an imported list in one transaction: a row naming an existing initiative (same name and
    /// lead organization, ignoring case) updates it if anything differs; others are created.
    /// </summary>
    internal async Task<ImportResult> ImportAsync(IReadOnlyList<InitiativeInput> rows, IReadOnlySet<string> mappedFields, Actor actor, CancellationToken ct)
    {
        const string find = """
            SELECT id, version FROM initiatives
            WHERE lower(name) = lower(@Name) AND lower(lead_organization) = lower(@LeadOrganization)
            ORDER BY archived_at NULLS FIRST, id LIMIT 1
            """;
        int created = 0, updated = 0, unchanged = 0;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        foreach (var row in rows)
        {
            var i = row.Cleaned();
            var existing = await conn.QuerySingleOrDefaultAsync<(long Id, int Version)?>(new CommandDefinition(find, new { i.Name, i.LeadOrganization }, tx, cancellationToken: ct));
            if (existing is null)
            {
                await InsertAsync(conn, tx, i, actor, "imported", ct);
                created++;
                continue;
            }
            var current = await LoadForUpdateAsync(conn, tx, existing.Value.Id, ct);
            var stored = JsonSerializer.Deserialize<InitiativeInput>(current!.Value.Snapshot, Json)!;
            var merged = Merge(i, stored, mappedFields);
            if (Diff(current.Value.Snapshot, Snapshot(merged, current.Value.Verification, Parse(current.Value.Snapshot["lastVerifiedAt"]),
                    current.Value.Snapshot["archived"]!.GetValue<bool>() ? DateTimeOffset.UtcNow : null)).Count == 0)
            {
                unchanged++;
                continue;
            }
            await ApplyAsync(conn, tx, existing.Value.Id, null, merged, actor, "imported", ct);
            updated++;
        }
        await tx.CommitAsync(ct);
        return new ImportResult(created, updated, unchanged);
    }

    static DateTimeOffset? Parse(JsonNode? value) =>
        value?.GetValue<string>() is { } text ? DateTimeOffset.Parse(text, CultureInfo.InvariantCulture) : null;

    /// <summary>A column the file does not have leaves that field as it is; the contact (staff only) is never imported.</summary>
    static InitiativeInput Merge(InitiativeInput file, InitiativeInput stored, IReadOnlySet<string> mapped)
    {
        T Pick<T>(string field, T fromFile, T fromStore) => mapped.Contains(field) ? fromFile : fromStore;
        return new(
        file.Name, Pick("short_description", file.ShortDescription, stored.ShortDescription), Pick("description", file.Description, stored.Description),
        file.Scope, file.Countries, file.LeadOrganization, file.LeadType,
        Pick("partner_organizations", file.PartnerOrganizations, stored.PartnerOrganizations), Pick("themes", file.Themes, stored.Themes),
        Pick("audiences", file.Audiences, stored.Audiences), Pick("languages", file.Languages, stored.Languages),
        Pick("channels", file.Channels, stored.Channels), file.Status, Pick("start_date", file.StartDate, stored.StartDate),
        Pick("end_date", file.EndDate, stored.EndDate), Pick("website", file.Website, stored.Website),
        Pick("social_links", file.SocialLinks, stored.SocialLinks), stored.ContactName, stored.ContactEmail, Pick("notes", file.Notes, stored.Notes));
    }

    // ---------- proposals: partners propose, staff decide

    /// <summary>A partner's proposed new initiative (no id) or change; it waits for staff. Checked like an edit.</summary>
    public async Task<Outcome<long>> ProposeAsync(long? initiativeId, InitiativeInput input, long organizationId, Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var errors = input.Validate(taxonomy, await CountryReference.CodesAsync(conn, ct));
        if (errors.Count > 0) return Outcome<long>.Invalid(errors);
        const string sql = """
            INSERT INTO initiative_proposals (initiative_id, organization_id, proposed_by, base_version, payload)
            SELECT @initiativeId, @organizationId, @UserId, (SELECT version FROM initiatives WHERE id = @initiativeId), @payload::jsonb
            WHERE @initiativeId::bigint IS NULL OR EXISTS (SELECT 1 FROM initiatives WHERE id = @initiativeId AND archived_at IS NULL)
            RETURNING id
            """;
        await using var tx = await conn.BeginTransactionAsync(ct);
        var payload = JsonSerializer.Serialize(input.Cleaned(), Json);
        var id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(sql, new { initiativeId, organizationId, actor.UserId, payload }, tx, cancellationToken: ct));
        if (id is null) return Outcome<long>.Invalid("Id", $"There is no initiative {initiativeId} to propose a change to.");
        await AuditLog.RecordAsync(conn, tx, actor, "propose", "initiative_proposal", id.Value.ToString(CultureInfo.InvariantCulture), null,
            JsonNode.Parse(payload), ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(id.Value);
    }

    /// <summary>Applies a pending proposal (recorded in the initiative's history as applied from the proposal).</summary>
    public async Task<Outcome<long>> ApproveAsync(long proposalId, Actor actor, CancellationToken ct = default)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var proposal = await PendingProposalAsync(conn, tx, proposalId, ct);
        if (proposal is null) return Outcome<long>.Invalid("Proposal", "This proposal is no longer waiting for review.");
        var input = JsonSerializer.Deserialize<InitiativeInput>(proposal.Value.Payload, Json)!;
        var errors = input.Validate(taxonomy, await CountryReference.CodesAsync(conn, ct));
        if (errors.Count > 0) return Outcome<long>.Invalid(errors);

        long initiativeId;
        if (proposal.Value.InitiativeId is { } existing)
        {
            var applied = await ApplyAsync(conn, tx, existing, null, input.Cleaned(), actor, "proposal_applied", ct);
            if (!applied.Succeeded) return Outcome<long>.Invalid(applied.Errors);
            initiativeId = existing;
        }
        else
        {
            initiativeId = await InsertAsync(conn, tx, input.Cleaned(), actor, "proposal_applied", ct);
        }
        const string done = """
            UPDATE initiative_proposals SET status = 'approved', reviewed_by = @UserId, reviewed_at = now(), initiative_id = @initiativeId
            WHERE id = @proposalId
            """;
        await conn.ExecuteAsync(new CommandDefinition(done, new { actor.UserId, initiativeId, proposalId }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "approve", "initiative_proposal", proposalId.ToString(CultureInfo.InvariantCulture),
            new { status = "pending" }, new { status = "approved", initiative_id = initiativeId }, ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(initiativeId);
    }

    /// <summary>Declines a pending proposal with a reason the proposing partner sees.</summary>
    public async Task<Outcome<long>> RejectAsync(long proposalId, string reason, Actor actor, CancellationToken ct = default)
    {
        reason = reason.Trim();
        if (reason.Length == 0) return Outcome<long>.Invalid("Reason", "Say why, so that the partner can fix it or understand.");
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        if (await PendingProposalAsync(conn, tx, proposalId, ct) is null)
            return Outcome<long>.Invalid("Proposal", "This proposal is no longer waiting for review.");
        const string sql = """
            UPDATE initiative_proposals SET status = 'rejected', reviewed_by = @UserId, reviewed_at = now(), rejection_reason = @reason
            WHERE id = @proposalId
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new { actor.UserId, reason, proposalId }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "reject", "initiative_proposal", proposalId.ToString(CultureInfo.InvariantCulture),
            new { status = "pending" }, new { status = "rejected", reason }, ct);
        await tx.CommitAsync(ct);
        return Outcome<long>.Ok(proposalId);
    }

    static async Task<(long? InitiativeId, string Payload)?> PendingProposalAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct)
    {
        const string sql = "SELECT initiative_id, payload::text FROM initiative_proposals WHERE id = @id AND status = 'pending' FOR UPDATE";
        return await conn.QuerySingleOrDefaultAsync<(long? InitiativeId, string Payload)?>(new CommandDefinition(sql, new { id }, tx, cancellationToken: ct));
    }

    public Task<Outcome<int>> ArchiveAsync(long id, Actor actor, CancellationToken ct = default) =>
        ChangeStateAsync(id, "archived", "UPDATE initiatives SET archived_at = now(), version = version + 1, updated_at = now() WHERE id = @id AND archived_at IS NULL", actor, ct);

    public Task<Outcome<int>> RestoreAsync(long id, Actor actor, CancellationToken ct = default) =>
        ChangeStateAsync(id, "restored", "UPDATE initiatives SET archived_at = NULL, version = version + 1, updated_at = now() WHERE id = @id AND archived_at IS NOT NULL", actor, ct);

    /// <summary>Staff confirm the entry is still accurate: verified as of now.</summary>
    public Task<Outcome<int>> VerifyAsync(long id, Actor actor, CancellationToken ct = default) =>
        ChangeStateAsync(id, "verified", "UPDATE initiatives SET verification = 'verified', last_verified_at = now(), version = version + 1, updated_at = now() WHERE id = @id", actor, ct);

    async Task<Outcome<int>> ChangeStateAsync(long id, string kind, string sql, Actor actor, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var current = await LoadForUpdateAsync(conn, tx, id, ct);
        if (current is null) return Outcome<int>.Invalid("Id", $"There is no initiative {id}.");
        if (await conn.ExecuteAsync(new CommandDefinition(sql, new { id }, tx, cancellationToken: ct)) == 0)
            return Outcome<int>.Ok(current.Value.Version); // already in that state: nothing to record
        var after = await LoadForUpdateAsync(conn, tx, id, ct);
        await RecordAsync(conn, tx, id, after!.Value.Version, actor, kind, current.Value.Snapshot, after.Value.Snapshot, ct);
        await tx.CommitAsync(ct);
        return Outcome<int>.Ok(after.Value.Version);
    }

    /// <summary>Field by field: {"name": {"before": "...", "after": "..."}, ...}; only fields that changed.</summary>
    public static JsonObject Diff(JsonObject? before, JsonObject after)
    {
        var changes = new JsonObject();
        foreach (var (field, value) in after)
        {
            var old = before?[field];
            if (!JsonNode.DeepEquals(old, value))
                changes[field] = new JsonObject { ["before"] = old?.DeepClone(), ["after"] = value?.DeepClone() };
        }
        return changes;
    }

    static JsonObject Snapshot(InitiativeInput input, string verification, DateTimeOffset? lastVerifiedAt = null, DateTimeOffset? archivedAt = null)
    {
        var node = JsonSerializer.SerializeToNode(input, Json)!.AsObject();
        node["verification"] = verification;
        node["lastVerifiedAt"] = lastVerifiedAt?.ToString("O");
        node["archived"] = archivedAt is not null;
        return node;
    }

    static async Task RecordAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, int version, Actor actor, string kind,
        JsonObject? before, JsonObject after, CancellationToken ct)
    {
        const string sql = """
            INSERT INTO initiative_history (initiative_id, version, changed_by, changed_by_label, change_kind, changes, snapshot)
            VALUES (@id, @version, @UserId, @Label, @kind, @changes::jsonb, @snapshot::jsonb)
            """;
        var changes = Diff(before, after);
        await conn.ExecuteAsync(new CommandDefinition(sql, new
        {
            id, version, actor.UserId, actor.Label, kind, changes = changes.ToJsonString(), snapshot = after.ToJsonString(),
        }, tx, cancellationToken: ct));
        var action = kind switch { "created" => "create", "archived" => "archive", "restored" => "restore", _ when before is null => "create", _ => "update" };
        await AuditLog.RecordAsync(conn, tx, actor, action, "initiative", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            before, after, ct);
    }

    async Task<(int Version, string Verification, JsonObject Snapshot)?> LoadForUpdateAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, CancellationToken ct)
    {
        const string sql = """
            SELECT name, short_description, description, scope, lead_organization, lead_type, partner_organizations, themes,
                   audiences, languages, channels, status, start_date, end_date, website, social_links, contact_name,
                   contact_email, notes, verification, last_verified_at, archived_at, version,
                   ARRAY(SELECT country::text FROM initiative_countries WHERE initiative_id = @id ORDER BY 1) AS countries
            FROM initiatives WHERE id = @id FOR UPDATE
            """;
        var r = await conn.QuerySingleOrDefaultAsync<StoredRow>(new CommandDefinition(sql, new { id }, tx, cancellationToken: ct));
        if (r is null) return null;
        var input = new InitiativeInput(r.Name, r.ShortDescription, r.Description, r.Scope, r.Countries, r.LeadOrganization, r.LeadType,
            r.PartnerOrganizations, r.Themes, r.Audiences, r.Languages, r.Channels, r.Status, r.StartDate, r.EndDate, r.Website,
            r.SocialLinks, r.ContactName, r.ContactEmail, r.Notes);
        return (r.Version, r.Verification, Snapshot(input, r.Verification, r.LastVerifiedAt, r.ArchivedAt));
    }

    sealed record StoredRow(string Name, string ShortDescription, string Description, string Scope, string LeadOrganization,
        string LeadType, string[] PartnerOrganizations, string[] Themes, string[] Audiences, string[] Languages, string[] Channels,
        string Status, DateOnly? StartDate, DateOnly? EndDate, string? Website, string[] SocialLinks, string? ContactName,
        string? ContactEmail, string Notes, string Verification, DateTimeOffset? LastVerifiedAt, DateTimeOffset? ArchivedAt,
        int Version, string[] Countries);

    static DynamicParameters Row(InitiativeInput i)
    {
        var p = new DynamicParameters(new
        {
            i.Name, i.ShortDescription, i.Description, i.Scope, i.LeadOrganization, i.LeadType, i.Status, i.StartDate, i.EndDate,
            i.Website, i.ContactName, i.ContactEmail, i.Notes,
        });
        p.Add("PartnerOrganizations", i.PartnerOrganizations.ToArray());
        p.Add("Themes", i.Themes.ToArray());
        p.Add("Audiences", i.Audiences.ToArray());
        p.Add("Languages", i.Languages.ToArray());
        p.Add("Channels", i.Channels.ToArray());
        p.Add("SocialLinks", i.SocialLinks.ToArray());
        return p;
    }

    static async Task SetCountriesAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long id, IReadOnlyList<string> countries, CancellationToken ct)
    {
        const string sql = """
            DELETE FROM initiative_countries WHERE initiative_id = @id AND country <> ALL (@countries);
            INSERT INTO initiative_countries (initiative_id, country) SELECT @id, c FROM unnest(@countries::text[]) c ON CONFLICT DO NOTHING;
            """;
        await conn.ExecuteAsync(new CommandDefinition(sql, new { id, countries = countries.ToArray() }, tx, cancellationToken: ct));
    }
}

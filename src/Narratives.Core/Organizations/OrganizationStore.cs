using System.Text.RegularExpressions;
using Dapper;
using Narratives.Core.Audit;
using Npgsql;

namespace Narratives.Core.Organizations;

public sealed record Organization(
    long Id, string? Key, string Name, string Kind, string? Country, string? Website, string Description,
    bool IsActive, bool IsDemo, DateTimeOffset CreatedAt);

public sealed record OrganizationInput(string Name, string? Key, string Kind, string? Country, string? Website, string? Description);

/// <summary>The organizations partners belong to, kept by staff; every change is audited in the same transaction.</summary>
public sealed partial class OrganizationStore(NpgsqlDataSource db)
{
    public static readonly string[] Kinds =
        ["civil_society", "government", "religious_body", "private_sector", "international_organization", "academia", "secretariat"];

    const string Columns = "id, key, name, kind, country, website, description, is_active, is_demo, created_at";

    public async Task<IReadOnlyList<Organization>> ListAsync(bool includeInactive = true, CancellationToken ct = default)
    {
        const string sql = $"SELECT {Columns} FROM organizations WHERE is_active OR @includeInactive ORDER BY name";
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<Organization>(new CommandDefinition(sql, new { includeInactive }, cancellationToken: ct))).AsList();
    }

    public async Task<Organization?> FindAsync(long id, CancellationToken ct = default)
    {
        const string sql = $"SELECT {Columns} FROM organizations WHERE id = @id";
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<Organization>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }

    public async Task<Outcome<Organization>> CreateAsync(OrganizationInput input, Actor actor, CancellationToken ct = default)
    {
        var errors = Validate(input);
        if (errors.Count > 0) return Outcome<Organization>.Invalid(errors);

        const string sql = $"""
            INSERT INTO organizations (key, name, kind, country, website, description)
            VALUES (@Key, @Name, @Kind, @Country, @Website, @Description)
            RETURNING {Columns}
            """;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var clean = Clean(input);
        try
        {
            var created = await conn.QuerySingleAsync<Organization>(new CommandDefinition(sql, clean, tx, cancellationToken: ct));
            await AuditLog.RecordAsync(conn, tx, actor, "create", "organization", created.Id.ToString(), null, created, ct);
            await tx.CommitAsync(ct);
            return Outcome<Organization>.Ok(created);
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return ex.ConstraintName == "organizations_key_key"
                ? Outcome<Organization>.Invalid(nameof(input.Key), $"The key '{clean.Key}' is already used by another organization.")
                : Outcome<Organization>.Invalid(nameof(input.Name), $"An organization named '{clean.Name}' already exists.");
        }
    }

    public async Task<Outcome<Organization>> RenameAsync(long id, string newName, Actor actor, CancellationToken ct = default)
    {
        var name = newName.Trim();
        if (name.Length is 0 or > 200) return Outcome<Organization>.Invalid("Name", "Give a name of 1 to 200 characters.");
        return await ChangeAsync(id, "UPDATE organizations SET name = @value, updated_at = now() WHERE id = @id", name, actor, ct);
    }

    public Task<Outcome<Organization>> SetActiveAsync(long id, bool active, Actor actor, CancellationToken ct = default) =>
        ChangeAsync(id, "UPDATE organizations SET is_active = @value, updated_at = now() WHERE id = @id", active, actor, ct);

    async Task<Outcome<Organization>> ChangeAsync(long id, string update, object value, Actor actor, CancellationToken ct)
    {
        const string select = $"SELECT {Columns} FROM organizations WHERE id = @id FOR UPDATE";
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var before = await conn.QuerySingleOrDefaultAsync<Organization>(new CommandDefinition(select, new { id }, tx, cancellationToken: ct));
        if (before is null) return Outcome<Organization>.Invalid("Id", $"There is no organization {id}.");
        try
        {
            await conn.ExecuteAsync(new CommandDefinition(update, new { id, value }, tx, cancellationToken: ct));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return Outcome<Organization>.Invalid("Name", $"An organization named '{value}' already exists.");
        }
        var after = await conn.QuerySingleAsync<Organization>(new CommandDefinition(select, new { id }, tx, cancellationToken: ct));
        await AuditLog.RecordAsync(conn, tx, actor, "update", "organization", id.ToString(), before, after, ct);
        await tx.CommitAsync(ct);
        return Outcome<Organization>.Ok(after);
    }

    static OrganizationInput Clean(OrganizationInput input) => new(
        input.Name.Trim(),
        string.IsNullOrWhiteSpace(input.Key) ? null : input.Key.Trim().ToLowerInvariant(),
        input.Kind,
        string.IsNullOrWhiteSpace(input.Country) ? null : input.Country.Trim().ToUpperInvariant(),
        string.IsNullOrWhiteSpace(input.Website) ? null : input.Website.Trim(),
        input.Description?.Trim() ?? "");

    static Dictionary<string, string> Validate(OrganizationInput input)
    {
        var errors = new Dictionary<string, string>();
        var clean = Clean(input);
        if (clean.Name.Length is 0 or > 200) errors[nameof(input.Name)] = "Give a name of 1 to 200 characters.";
        if (clean.Key is not null && !KeyPattern().IsMatch(clean.Key))
            errors[nameof(input.Key)] = "A key uses lower-case letters, digits and hyphens, like 'horizons-youth'.";
        if (!Kinds.Contains(clean.Kind)) errors[nameof(input.Kind)] = $"Choose one of: {string.Join(", ", Kinds)}.";
        if (clean.Country is not null && !CountryPattern().IsMatch(clean.Country))
            errors[nameof(input.Country)] = "Use the three-letter ISO code, like TUN.";
        if (clean.Website is not null && !(Uri.TryCreate(clean.Website, UriKind.Absolute, out var uri) && uri.Scheme is "https" or "http"))
            errors[nameof(input.Website)] = "Give a full web address starting with https://.";
        return errors;
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9-]{1,60}$")]
    private static partial Regex KeyPattern();

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CountryPattern();
}

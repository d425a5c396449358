using Microsoft.AspNetCore.Identity;

namespace Narratives.Core.Accounts;

/// <summary>The three fixed roles; they are created by the first migration and never change at run time.</summary>
public sealed class RoleStore : IRoleStore<NarrativesRole>
{
    static NarrativesRole? Find(string id) =>
        Roles.IsKnown(id) ? new NarrativesRole { Id = id, Name = id } : null;

    public void Dispose() { }
    public Task<IdentityResult> CreateAsync(NarrativesRole role, CancellationToken ct) => Task.FromResult(Refused());
    public Task<IdentityResult> UpdateAsync(NarrativesRole role, CancellationToken ct) => Task.FromResult(Refused());
    public Task<IdentityResult> DeleteAsync(NarrativesRole role, CancellationToken ct) => Task.FromResult(Refused());
    public Task<string> GetRoleIdAsync(NarrativesRole role, CancellationToken ct) => Task.FromResult(role.Id);
    public Task<string?> GetRoleNameAsync(NarrativesRole role, CancellationToken ct) => Task.FromResult<string?>(role.Name);
    public Task SetRoleNameAsync(NarrativesRole role, string? roleName, CancellationToken ct) => Task.CompletedTask;
    public Task<string?> GetNormalizedRoleNameAsync(NarrativesRole role, CancellationToken ct) => Task.FromResult<string?>(role.Name.ToUpperInvariant());
    public Task SetNormalizedRoleNameAsync(NarrativesRole role, string? normalizedName, CancellationToken ct) => Task.CompletedTask;
    public Task<NarrativesRole?> FindByIdAsync(string roleId, CancellationToken ct) => Task.FromResult(Find(roleId.ToLowerInvariant()));
    public Task<NarrativesRole?> FindByNameAsync(string normalizedRoleName, CancellationToken ct) => Task.FromResult(Find(normalizedRoleName.ToLowerInvariant()));

    static IdentityResult Refused() =>
        IdentityResult.Failed(new IdentityError { Code = "FixedRoles", Description = "The roles staff, partner and researcher are fixed." });
}

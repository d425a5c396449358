using Microsoft.AspNetCore.Identity;

namespace Narratives.Core.Accounts;

/// <summary>
/// Passwords: at least 12 characters (OWASP ASVS), not on the shipped list of common passwords, not the email itself.
/// Hashing: PBKDF2 with 210,000 iterations, the OWASP figure for PBKDF2-HMAC-SHA512 (the framework's default is lower).
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 12;
    public const int HashIterations = 210_000;

    static readonly Lazy<HashSet<string>> Common = new(() =>
        File.ReadLines(DataFiles.Path("reference", "common-passwords.txt"))
            .Select(l => l.Trim())
            .Where(l => l.Length > 0 && !l.StartsWith('#'))
            .ToHashSet(StringComparer.OrdinalIgnoreCase));

    public static bool IsCommon(string password) => Common.Value.Contains(password.Trim());
}

public sealed class CommonPasswordValidator : IPasswordValidator<NarrativesUser>
{
    public Task<IdentityResult> ValidateAsync(UserManager<NarrativesUser> manager, NarrativesUser user, string? password)
    {
        if (password is null) return Task.FromResult(IdentityResult.Success);
        if (PasswordPolicy.IsCommon(password))
            return Task.FromResult(IdentityResult.Failed(new IdentityError
            {
                Code = "CommonPassword",
                Description = "This password is on the list of commonly used passwords. Choose one that others would not guess, for example four unrelated words.",
            }));
        if (string.Equals(password.Trim(), user.Email, StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(IdentityResult.Failed(new IdentityError { Code = "PasswordIsEmail", Description = "The password must not be your email address." }));
        return Task.FromResult(IdentityResult.Success);
    }
}

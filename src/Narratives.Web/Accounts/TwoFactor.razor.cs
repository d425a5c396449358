using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Identity;
using Narratives.Core.Accounts;
using Narratives.Core.Audit;
using Narratives.Web.Security;
using QRCoder;

namespace Narratives.Web.Accounts;

/// <summary>Sets up, renews and (where allowed) turns off sign-in with an authenticator app (TOTP) and recovery codes.</summary>
public sealed partial class TwoFactor
{
    const int RecoveryCodeCount = 10;

    [CascadingParameter] HttpContext HttpContext { get; set; } = default!;
    [SupplyParameterFromForm(FormName = "enable")] EnableInput? Enable { get; set; }

    NarrativesUser? user;
    string key = "";
    string qrSvg = "";
    string? message;
    bool failed;
    IEnumerable<string>? recoveryCodes;
    int codesLeft;

    ClaimsPrincipal User => HttpContext.User;
    bool Required => StaffMfa.IsRequired(Security.Value, Database);
    string FormattedKey => string.Join(' ', key.Chunk(4).Select(c => new string(c))).ToLowerInvariant();

    protected override async Task OnInitializedAsync()
    {
        Enable ??= new();
        user = await Users.GetUserAsync(User) ?? throw new InvalidOperationException("The signed-in user no longer exists.");
        await LoadAsync();
    }

    async Task LoadAsync()
    {
        if (user!.TwoFactorEnabled)
        {
            codesLeft = await Users.CountRecoveryCodesAsync(user);
            return;
        }
        key = await Users.GetAuthenticatorKeyAsync(user) ?? "";
        if (key.Length == 0)
        {
            await Users.ResetAuthenticatorKeyAsync(user);
            user = await Users.FindByIdAsync(user.Id.ToString());
            key = await Users.GetAuthenticatorKeyAsync(user!) ?? "";
        }
        var uri = $"otpauth://totp/Narratives:{Uri.EscapeDataString(user!.Email)}?secret={key}&issuer=Narratives&digits=6";
        using var data = QRCodeGenerator.GenerateQrCode(uri, QRCodeGenerator.ECCLevel.Q);
        qrSvg = new SvgQRCode(data).GetGraphic(4);
    }

    async Task EnableAsync()
    {
        var code = Enable!.Code.Replace(" ", "").Replace("-", "");
        if (!await Users.VerifyTwoFactorTokenAsync(user!, Users.Options.Tokens.AuthenticatorTokenProvider, code))
        {
            (message, failed) = (L["TwoFactor.WrongCode"], true);
            return;
        }
        await Users.SetTwoFactorEnabledAsync(user!, true);
        recoveryCodes = await Users.GenerateNewTwoFactorRecoveryCodesAsync(user!, RecoveryCodeCount);
        await Audit.RecordAsync(ActionGuard.ActorOf(User), "update", "user", user!.Id.ToString(), new { two_factor = false }, new { two_factor = true });
        // The security stamp changed: renew this browser's sign-in so it stays signed in.
        await SignIn.RefreshSignInAsync(user!);
        (message, failed) = (L["TwoFactor.TurnedOn"], false);
        await LoadAsync();
    }

    async Task NewCodesAsync()
    {
        if (!user!.TwoFactorEnabled) return;
        recoveryCodes = await Users.GenerateNewTwoFactorRecoveryCodesAsync(user, RecoveryCodeCount);
        await Audit.RecordAsync(ActionGuard.ActorOf(User), "update", "user", user.Id.ToString(), null, new { recovery_codes = "renewed" });
        await LoadAsync();
    }

    async Task DisableAsync()
    {
        if (Required && User.IsInRole(Roles.Staff))
        {
            (message, failed) = (L["TwoFactor.CannotTurnOff"], true);
            return;
        }
        await Users.SetTwoFactorEnabledAsync(user!, false);
        await Users.ResetAuthenticatorKeyAsync(user!);
        await Audit.RecordAsync(ActionGuard.ActorOf(User), "update", "user", user!.Id.ToString(), new { two_factor = true }, new { two_factor = false });
        user = await Users.FindByIdAsync(user.Id.ToString());
        await SignIn.RefreshSignInAsync(user!);
        (message, failed) = (L["TwoFactor.TurnedOff"], false);
        await LoadAsync();
    }

    sealed class EnableInput
    {
        [Required(ErrorMessage = "Enter the 6-digit code your app shows.")]
        [StringLength(9, MinimumLength = 6, ErrorMessage = "The code has 6 digits.")]
        public string Code { get; set; } = "";
    }
}

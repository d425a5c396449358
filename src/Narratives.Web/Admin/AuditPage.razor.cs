using Microsoft.AspNetCore.Components;
using Narratives.Core.Audit;

namespace Narratives.Web.Admin;

public sealed partial class AuditPage
{
    const int PageSize = 50;
    static readonly string[] EntityTypes = ["initiative", "campaign", "content_item", "user", "organization", "api_key"];
    static readonly string[] Actions = ["create", "update", "delete", "archive", "approve", "reject", "revoke", "disable", "enable", "sign_in_failed", "access_denied"];

    [Inject] AuditLog Audit { get; set; } = default!;

    IReadOnlyList<AuditEntry>? entries;
    string? entityType;
    string? action;
    DateTime? from;
    DateTime? to;
    int page;

    protected override Task OnInitializedAsync() => LoadAsync(0);

    async Task LoadAsync(int newPage)
    {
        page = Math.Max(0, newPage);
        entries = await Audit.ListPageAsync(new AuditFilter(
            EntityType: entityType, Action: action,
            From: from is { } f ? new DateTimeOffset(DateTime.SpecifyKind(f.Date, DateTimeKind.Utc)) : null,
            To: to is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t.Date.AddDays(1), DateTimeKind.Utc)) : null,
            Page: page, PageSize: PageSize));
    }
}

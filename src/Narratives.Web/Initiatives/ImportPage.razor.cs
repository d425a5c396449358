using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using Narratives.Core.Initiatives;
using Narratives.Web.Security;

namespace Narratives.Web.Initiatives;

/// <summary>Upload a list, confirm which column is which, see every problem with its line, then import all or nothing.</summary>
public sealed partial class ImportPage
{
    const long MaxBytes = 20 * 1024 * 1024;

    [Inject] InitiativeImport Import { get; set; } = default!;
    [Inject] ActionGuard Guard { get; set; } = default!;
    [Inject] ISnackbar Snackbar { get; set; } = default!;

    ImportTable? table;
    Dictionary<string, int?> mapping = [];
    ImportCheck? check;
    ImportResult? result;
    string? fileError;
    string fileName = "";

    async Task LoadAsync(InputFileChangeEventArgs e)
    {
        (table, check, result, fileError) = (null, null, null, null);
        var file = e.File;
        fileName = file.Name;
        if (!file.Name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) && !file.Name.EndsWith(".xlsx", StringComparison.OrdinalIgnoreCase))
        {
            fileError = L["Import.WrongType", file.Name];
            return;
        }
        if (file.Size > MaxBytes)
        {
            fileError = L["Import.TooLarge", file.Name, MaxBytes / 1024 / 1024];
            return;
        }
        try
        {
            using var buffer = new MemoryStream();
            await using (var upload = file.OpenReadStream(MaxBytes))
                await upload.CopyToAsync(buffer);
            buffer.Position = 0;
            table = InitiativeImport.Read(buffer, file.Name);
            mapping = InitiativeImport.SuggestMapping(table.Headers);
        }
        catch (Exception ex) when (ex is InvalidDataException or CsvHelper.CsvHelperException or System.IO.FileFormatException or InvalidOperationException)
        {
            // The file is not a readable list: say so instead of failing the page.
            fileError = L["Import.Unreadable", file.Name, ex.Message];
        }
    }

    void Remap(string field, int? column)
    {
        mapping[field] = column;
        check = null;
    }

    async Task CheckAsync()
    {
        result = null;
        check = await Import.CheckAsync(table!, mapping);
    }

    async Task ApplyAsync()
    {
        try
        {
            var actor = await Guard.RequireAsync(Policies.Staff);
            var outcome = await Import.ApplyAsync(check!, actor);
            if (outcome.Succeeded) result = outcome.Value;
            else Snackbar.Add(string.Join(" ", outcome.Errors.Values), Severity.Error);
        }
        catch (NotAllowedException ex)
        {
            Snackbar.Add(ex.Message, Severity.Error);
        }
    }
}

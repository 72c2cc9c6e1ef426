using Portal.Resources;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using MudBlazor;
using Portal.Domain.Access;
using Portal.Domain.Common;
using Portal.Infrastructure.Identity;
using Portal.Infrastructure.Segments;

namespace Portal.Components.Pages.Segments;

/// <summary>Static lists: upload from a file of phones or external ids, see sizes, delete.</summary>
public partial class StaticLists
{
    private const long MaxUpload = 200L * 1024 * 1024;

    [Inject] private StaticListImport Lists { get; set; } = default!;
    [Inject] private DepartmentScopes Scopes { get; set; } = default!;
    [Inject] private IWebHostEnvironment Environment { get; set; } = default!;
    [Inject] private ISnackbar Snackbar { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;

    private IReadOnlyList<StaticListSummary> _lists = [];
    private string? _name;
    private StaticListKey _key = StaticListKey.Phone;
    private bool _busy;
    private string? _error;
    private StaticListUploadResult? _result;
    private DepartmentScope _scope = DepartmentScope.Of(null);

    protected override async Task OnInitializedAsync()
    {
        _scope = await Scopes.ForAsync((await AuthState).User, Closing);
        _lists = await Lists.ListAsync(_scope, Closing);
    }

    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        (_error, _result) = (null, null);
        if (string.IsNullOrWhiteSpace(_name))
        {
            _error = L["Name the list first."];
            return;
        }
        var folder = Path.Combine(Environment.ContentRootPath, "App_Data", "imports");
        Directory.CreateDirectory(folder);
        var fileName = Path.GetFileName(e.File.Name);
        var path = Path.Combine(folder, $"{Guid.NewGuid():N}{Path.GetExtension(fileName).ToLowerInvariant()}");
        _busy = true;
        try
        {
            await using (var source = e.File.OpenReadStream(MaxUpload))
            await using (var target = File.Create(path))
            {
                await source.CopyToAsync(target);
            }
            var user = (await AuthState).User.Identity?.Name ?? "";
            _result = await Lists.CreateAsync(_name, path, fileName, _key, _scope.NewItemsDepartment, user, CompleteEvenIfClosed);
            _lists = await Lists.ListAsync(_scope, Closing);
            _name = null;
        }
        catch (Exception error) when (error is InvalidDataException or DomainException or IOException)
        {
            _error = error.Message;
        }
        finally
        {
            _busy = false;
            File.Delete(path);
        }
    }

    private async Task DeleteAsync(StaticListSummary list)
    {
        try
        {
            await Lists.DeleteAsync(list.Id, _scope, CompleteEvenIfClosed);
            _lists = await Lists.ListAsync(_scope, Closing);
            Snackbar.Add(L["Deleted."], Severity.Success);
        }
        catch (DomainException e)
        {
            Snackbar.Add(L.Describe(e), Severity.Error);
        }
    }
}

using Portal.Resources;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using MudBlazor;
using Portal.Components.Pages.Clients;
using Portal.Domain.Common;
using Portal.Domain.Imports;
using Portal.Domain.Integrations;
using Portal.Infrastructure.Integrations.Sync;

namespace Portal.Components.Pages.Admin;

/// <summary>Creates or edits a sync source and saves it itself, so a refusal is shown in the dialog.</summary>
public partial class SyncSourceEditorDialog
{
    private sealed class MappingRow
    {
        public string Column { get; set; } = "";
        public string Field { get; set; } = "";
    }

    [CascadingParameter] private IMudDialogInstance Dialog { get; set; } = default!;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private SyncSourceCatalog Catalog { get; set; } = default!;
    [Inject] private ILogger<SyncSourceEditorDialog> Logger { get; set; } = default!;

    /// <summary>The source to edit; null creates a new one.</summary>
    [Parameter] public SyncSourceRow? Source { get; set; }

    private string _name = "";
    private SyncSourceKind _kind = SyncSourceKind.Postgres;
    private SyncTarget _target = SyncTarget.Clients;
    private string? _connectionString;
    private string? _url;
    private string? _token;
    private string _query = "";
    private string _watermarkColumn = "updated_at";
    private string _cron = "0 0/15 * * * ?";
    private string? _cronHint;
    private bool _cronError;
    private bool _enabled = true;
    private int _overlapMinutes = SyncSource.DefaultOverlapMinutes;
    private List<MappingRow> _mapping = [];
    private string? _error;
    private bool _saving;

    /// <summary>Custom attributes a client column can be mapped to (issue 20).</summary>
    private IReadOnlyList<Domain.Clients.AttributeDefinition> _attributes = [];

    protected override async Task OnInitializedAsync() => _attributes = await Catalog.AttributesAsync(Closing);

    protected override void OnInitialized()
    {
        if (Source is { } s)
        {
            (_name, _kind, _target, _url, _query, _watermarkColumn, _cron, _enabled) =
                (s.Name, s.Kind, s.Target, s.Url, s.Query, s.WatermarkColumn, s.Cron, s.Enabled);
            _overlapMinutes = s.OverlapMinutes;
            _mapping = s.Mapping.Select(m => new MappingRow { Column = m.Column, Field = m.Field }).ToList();
        }
        else
        {
            _mapping = [new() { Column = "id", Field = nameof(ClientField.ExternalId) }, new() { Column = "phone", Field = nameof(ClientField.Phone) }];
        }
        CronChanged(_cron);
    }

    private IEnumerable<(string Value, string Label)> Fields() => _target switch
    {
        SyncTarget.Clients => Enum.GetValues<ClientField>().Select(f => (f.ToString(), L[ClientImport.FieldLabel(f)].Value))
            .Concat(_attributes.Select(a => (SyncMapping.AttributePrefix + a.Key,
                L["Attribute: {0} ({1})", a.Label, L[ClientImport.AttributeTypeLabel(a.Type)]].Value))),
        SyncTarget.Employees => Enum.GetValues<EmployeeField>().Select(f => (f.ToString(), L[f == EmployeeField.TimeZone ? "Time zone" : f.ToString()].Value)),
        _ => Enum.GetValues<EventField>().Select(f => (f.ToString(), L[f.ToString()].Value)),
    };

    private void TargetChanged(SyncTarget target)
    {
        _target = target;
        _mapping = target switch
        {
            SyncTarget.Clients => [new() { Column = "id", Field = nameof(ClientField.ExternalId) }, new() { Column = "phone", Field = nameof(ClientField.Phone) }],
            SyncTarget.Employees => [new() { Column = "phone", Field = nameof(EmployeeField.Phone) }, new() { Column = "full_name", Field = nameof(EmployeeField.Name) },
                new() { Column = "department", Field = nameof(EmployeeField.Department) }],
            _ => [new() { Column = "client_id", Field = nameof(EventField.ExternalId) }, new() { Column = "type", Field = nameof(EventField.Type) },
                new() { Column = "occurred_at", Field = nameof(EventField.OccurredAt) }],
        };
    }

    private void CronChanged(string cron)
    {
        _cron = cron;
        if (SyncCron.TryDescribe(cron, out var next, out _))
        {
            _cronHint = L["Next runs: {0}", string.Join(", ", next.Select(SyncCron.Format))];
            _cronError = false;
        }
        else
        {
            _cronHint = L["Quartz cron, seconds first, UTC: '0 0/15 * * * ?' every 15 minutes, '0 0 3 * * ?' daily at 03:00."];
            _cronError = true;
        }
    }

    private async Task SaveAsync()
    {
        var draft = new SyncSourceDraft(_name, _kind, _target, _connectionString, _url, _token, _query, _watermarkColumn, _cron,
            _mapping.Where(m => !string.IsNullOrWhiteSpace(m.Column) && !string.IsNullOrWhiteSpace(m.Field)).Select(m => (m.Column.Trim(), m.Field)).ToList(),
            _enabled) { OverlapMinutes = _overlapMinutes };
        _saving = true;
        try
        {
            var user = (await AuthState).User;
            if (Source is null)
            {
                await Catalog.CreateAsync(user, draft, CompleteEvenIfClosed);
            }
            else
            {
                await Catalog.UpdateAsync(user, Source.Id, draft, CompleteEvenIfClosed);
            }
            Dialog.Close(DialogResult.Ok(true));
        }
        catch (DomainException e)
        {
            _error = L.Describe(e);
        }
        catch (Exception e) when (UnexpectedError.IsUnexpected(e))
        {
            _error = UnexpectedError.Report(L, Logger, e, "Save a sync source");
        }
        finally
        {
            _saving = false;
        }
    }
}

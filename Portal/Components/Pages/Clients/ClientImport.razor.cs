using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Authorization;
using Microsoft.AspNetCore.Components.Forms;
using Microsoft.EntityFrameworkCore;
using Portal.Domain.Clients;
using Portal.Domain.Imports;
using Portal.Infrastructure.Importing;
using Portal.Infrastructure.Persistence;

namespace Portal.Components.Pages.Clients;

public partial class ClientImport
{
    private const string Unknown = "?";
    private const string SkipColumn = "-";
    /// <summary>A choice naming a custom attribute: this prefix and the attribute's key.</summary>
    private const string AttributePrefix = "attr:";

    [Inject] private ImportRunner Runner { get; set; } = default!;
    [Inject] private IWebHostEnvironment Environment { get; set; } = default!;
    [Inject] private Microsoft.Extensions.Options.IOptions<ImportOptions> Limits { get; set; } = default!;

    /// <summary>Import:MaxUploadBytes (default 300 MB).</summary>
    private long MaxUpload => Limits.Value.MaxUploadBytes;
    [CascadingParameter] private Task<AuthenticationState> AuthState { get; set; } = default!;
    [Inject] private IDbContextFactory<PortalDbContext> Contexts { get; set; } = default!;

    /// <summary>Custom attributes a column can be mapped to (issue 20), as the client API knows them.</summary>
    private IReadOnlyList<AttributeDefinition> _attributes = [];

    protected override async Task OnInitializedAsync()
    {
        await using var db = await Contexts.CreateDbContextAsync(Closing);
        _attributes = await db.AttributeDefinitions.AsNoTracking().OrderBy(d => d.Key).ToListAsync(Closing);
    }

    /// <summary>A built-in field first; else an attribute whose key or label is the header (a CRM export's own column names).</summary>
    private string Guess(string header)
    {
        if (ClientFieldHeaders.Guess(header) is { } field)
        {
            return field.ToString();
        }
        var match = _attributes.FirstOrDefault(a => string.Equals(a.Key, header.Trim(), StringComparison.OrdinalIgnoreCase)
                                                    || string.Equals(a.Label, header.Trim(), StringComparison.OrdinalIgnoreCase));
        return match is null ? Unknown : AttributePrefix + match.Key;
    }

    private sealed class Column(int index, string header, string choice, IReadOnlyList<string> samples)
    {
        public int Index { get; } = index;
        public string Header { get; } = header;
        public string Choice { get; set; } = choice;
        public IReadOnlyList<string> Samples { get; } = samples;
    }

    private ImportHistory? _history;
    private List<Column> _columns = [];
    private IReadOnlyList<string>? _headers;
    private string? _path;
    private string _fileName = "";
    private string? _fileError;
    private bool _uploading;
    private double _uploadPercent;
    private ImportMatch _match = ImportMatch.ExternalId;
    private ImportMode _mode = ImportMode.AllOrNothing;
    private ImportRun? _run;

    internal static string FieldLabel(ClientField field) => field switch
    {
        ClientField.ExternalId => "External id",
        ClientField.FirstName => "First name",
        ClientField.MiddleName => "Middle name",
        ClientField.LastName => "Last name",
        ClientField.BirthDate => "Birth date",
        ClientField.TimeZone => "Time zone",
        ClientField.RegisteredAt => "Registered",
        ClientField.LoyaltyTier => "Loyalty tier",
        ClientField.TotalSpend => "Total spend",
        ClientField.PurchaseCount => "Purchases",
        ClientField.LastPurchaseAt => "Last purchase",
        ClientField.LastActivityAt => "Last activity",
        ClientField.ServiceConsent => "Service consent",
        ClientField.AdvertisingConsent => "Advertising consent",
        _ => field.ToString(),
    };

    internal static string AttributeTypeLabel(AttributeType type) => type switch
    {
        AttributeType.Text => "Text",
        AttributeType.Number => "Number",
        AttributeType.Date => "Date",
        AttributeType.Boolean => "Yes/no",
        _ => type.ToString(),
    };

    /// <summary>Streams the upload to a private file (it holds personal data; the import deletes it), then previews it.</summary>
    private async Task UploadAsync(InputFileChangeEventArgs e)
    {
        DeleteUpload();
        (_fileError, _headers, _columns) = (null, null, []);
        var file = e.File;
        if (file.Size > MaxUpload)
        {
            _fileError = L["The file is larger than {0} MB.", MaxUpload / (1024 * 1024)];
            return;
        }
        _fileName = Path.GetFileName(file.Name);
        var folder = Path.Combine(Environment.ContentRootPath, "App_Data", "imports");
        Directory.CreateDirectory(folder);
        _path = Path.Combine(folder, $"{Guid.NewGuid():N}{Path.GetExtension(_fileName).ToLowerInvariant()}");
        _uploading = true;
        try
        {
            await using (var source = file.OpenReadStream(MaxUpload))
            await using (var target = File.Create(_path))
            {
                var buffer = new byte[1 << 16];
                long copied = 0;
                int read;
                var lastShown = 0.0;
                while ((read = await source.ReadAsync(buffer)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read));
                    copied += read;
                    _uploadPercent = 100.0 * copied / Math.Max(1, file.Size);
                    if (_uploadPercent - lastShown >= 2)
                    {
                        lastShown = _uploadPercent;
                        StateHasChanged();
                    }
                }
            }
            Preview();
        }
        catch (InvalidDataException error)
        {
            _fileError = error.Message;
            DeleteUpload();
        }
        finally
        {
            _uploading = false;
        }
    }

    private void Preview()
    {
        using var file = TabularFile.Open(_path!, _fileName, Limits.Value);
        var samples = file.Rows().Take(3).ToList();
        _headers = file.Headers;
        _columns = file.Headers.Select((h, i) => new Column(i, h, Guess(h),
            samples.Select(r => i < r.Length ? r[i] ?? "" : "").Where(v => v.Length > 0).Select(v => v.Length > 24 ? v[..24] + "…" : v).ToList())).ToList();
    }

    /// <summary>Why the mapping cannot be imported, in the user's language; null when it can.</summary>
    private string? _mappingError;

    /// <summary>
    /// Issue 20: a bad attribute choice is refused in words before a job exists. Two columns onto one
    /// attribute would leave the later column's value silently winning; an attribute deleted since the
    /// page loaded would fail the job with the importer's English text.
    /// </summary>
    private async Task<string?> MappingErrorAsync()
    {
        var chosen = _columns.Where(c => c.Choice.StartsWith(AttributePrefix, StringComparison.Ordinal))
            .Select(c => (c.Header, Key: c.Choice[AttributePrefix.Length..])).ToList();
        if (chosen.Count == 0)
        {
            return null;
        }
        if (chosen.GroupBy(c => c.Key, StringComparer.OrdinalIgnoreCase).FirstOrDefault(g => g.Count() > 1) is { } twice)
        {
            return L["Columns {0} are all mapped to the attribute {1}: map each attribute from one column only.",
                string.Join(", ", twice.Select(c => c.Header)), twice.Key];
        }
        await using var db = await Contexts.CreateDbContextAsync(Closing);
        var keys = chosen.Select(c => c.Key).ToList();
        var defined = await db.AttributeDefinitions.AsNoTracking().Where(d => keys.Contains(d.Key)).Select(d => d.Key).ToListAsync(Closing);
        if (chosen.FirstOrDefault(c => !defined.Contains(c.Key, StringComparer.OrdinalIgnoreCase)) is { Header: not null } missing)
        {
            return L["There is no custom attribute {0} any more (column {1}): define it again, or map the column to another field.", missing.Key, missing.Header];
        }
        return null;
    }

    private async Task StartAsync()
    {
        _mappingError = await MappingErrorAsync();
        if (_mappingError is not null)
        {
            return;
        }
        var user = (await AuthState).User;
        var mapping = _columns.Select(c => Enum.TryParse<ClientField>(c.Choice, out var f) ? f : (ClientField?)null).ToList();
        var unknown = _columns.Where(c => c.Choice == Unknown).Select(c => c.Index).ToHashSet();
        var attributes = _columns.Where(c => c.Choice.StartsWith(AttributePrefix, StringComparison.Ordinal))
            .ToDictionary(c => c.Index, c => c.Choice[AttributePrefix.Length..]);
        var request = new ImportRequest(_path!, _fileName, mapping, _mode, _match, user.Identity?.Name ?? "?")
        {
            UnknownColumns = unknown,
            AttributeColumns = attributes,
        };
        _path = null; // the runner owns and deletes the file now
        _run = await Runner.StartAsync(request, CompleteEvenIfClosed);
        _run.Changed += OnRunChanged;
        await Audit.WriteAsync(user, Domain.Audit.AuditActions.ClientsImported, "ImportJob", _run.JobId.ToString(), $"file={_fileName}; mode={_mode}; match={_match}");
    }

    [Inject] private Infrastructure.Audit.AuditLog Audit { get; set; } = default!;

    private void OnRunChanged() => InvokeAsync(async () =>
    {
        StateHasChanged();
        if (_run?.Result is not null && _history is not null)
        {
            await _history.ReloadAsync();
        }
    });

    private void Cancel() => Runner.Cancel(_run!.JobId);

    private void Reset()
    {
        Detach();
        (_run, _headers, _columns, _fileName) = (null, null, [], "");
    }

    private void Detach()
    {
        if (_run is not null)
        {
            _run.Changed -= OnRunChanged;
        }
    }

    private void DeleteUpload()
    {
        if (_path is not null && File.Exists(_path))
        {
            File.Delete(_path);
        }
        _path = null;
    }

    protected override ValueTask DisposeAsyncCore()
    {
        Detach();
        DeleteUpload();
        return ValueTask.CompletedTask;
    }
}

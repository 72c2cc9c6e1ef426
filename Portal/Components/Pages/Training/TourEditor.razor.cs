using Microsoft.AspNetCore.Components;
using Microsoft.JSInterop;

namespace Portal.Components.Pages.Training;

/// <summary>
/// Issue 18, item 3: "anchor picked by clicking the element in a preview". The step's page opens in
/// a same-origin iframe (<c>wwwroot/tourpicker.js</c> outlines its <c>data-tour</c> controls and
/// swallows the first click on one); the clicked control's anchor comes back through
/// <see cref="AnchorPicked"/>. Pages reached by a click (a route with <c>*</c>) cannot be previewed.
/// </summary>
public sealed partial class TourEditor
{
    [Inject] private IJSRuntime JS { get; set; } = default!;

    private StepRow? _picking;
    private bool _pickerArmed;
    private DotNetObjectReference<TourEditor>? _self;
    private IJSObjectReference? _picker;

    private static bool Previewable(string? route) => route is not null && !route.Contains('*', StringComparison.Ordinal);

    private void StartPicking(StepRow step)
    {
        _picking = step;
        _pickerArmed = false;
    }

    private void StopPicking() => _picking = null;

    protected override async Task OnAfterRenderAsync(bool firstRender)
    {
        if (_picking is null || _pickerArmed) return;
        _pickerArmed = true;
        _self ??= DotNetObjectReference.Create(this);
        _picker ??= await JS.InvokeAsync<IJSObjectReference>("import", Closing, "./tourpicker.js");
        await _picker.InvokeVoidAsync("pick", Closing, "tour-preview", _self);
    }

    /// <summary>Called by tourpicker.js with the clicked control's <c>data-tour</c> value.</summary>
    [JSInvokable]
    public Task AnchorPicked(string anchor) => InvokeAsync(() =>
    {
        if (_picking is { } step && !string.IsNullOrWhiteSpace(anchor)) step.Anchor = anchor;
        _picking = null;
        StateHasChanged();
    });

    private void DisposePicker()
    {
        _self?.Dispose();
        if (_picker is { } module) _ = module.DisposeAsync().AsTask().ContinueWith(_ => { }, TaskScheduler.Default);
    }
}

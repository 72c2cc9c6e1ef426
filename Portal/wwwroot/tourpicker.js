// Issue 18: the tour editor's anchor picker. The step's page is shown in a same-origin iframe
// (frame-ancestors 'self'); every data-tour control in it is outlined, and the first click on one
// is caught before the page sees it and reported to the editor instead.
export function pick(frameId, editor) {
    const frame = document.getElementById(frameId);
    if (!frame) return;
    frame.scrollIntoView({ block: 'center' });
    const attach = () => {
        const win = frame.contentWindow;
        const doc = frame.contentDocument;
        if (!win || !doc || !doc.head || doc.__tourPicker) return;
        doc.__tourPicker = true;
        const style = doc.createElement('style');
        style.textContent = '[data-tour]{outline:2px dashed #d97706 !important;outline-offset:2px;cursor:crosshair !important}';
        doc.head.appendChild(style);
        const swallow = e => {
            const target = e.target && e.target.closest ? e.target.closest('[data-tour]') : null;
            e.preventDefault();
            e.stopImmediatePropagation();
            if (e.type === 'click' && target) editor.invokeMethodAsync('AnchorPicked', target.getAttribute('data-tour'));
        };
        // Capture on the window runs before Blazor's and MudBlazor's own listeners.
        for (const type of ['click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup']) win.addEventListener(type, swallow, true);
    };
    frame.addEventListener('load', attach);
    if (frame.contentDocument && frame.contentDocument.readyState === 'complete') attach();
}

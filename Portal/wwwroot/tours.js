// Issue 18: guided tours on the real controls. driver.js (MIT, vendored in lib/driverjs) draws the
// highlight and the popover of ONE step at a time; the .NET TourRunner owns the tour (which step,
// navigation across pages, progress in the database) and this module reports Next/Back/Skip and
// the "wait for" conditions back to it.
import { driver } from './lib/driverjs/driver.js.mjs';

let active = null;
let stopWaiting = null;
let generation = 0;

function find(anchor) {
    return document.querySelector(`[data-tour="${CSS.escape(anchor)}"]`);
}

function visible(el) {
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden';
}

const pause = ms => new Promise(r => setTimeout(r, ms));

/** Every data-tour anchor on the page now, for the tour editor's picker. */
export function anchors() {
    return [...new Set([...document.querySelectorAll('[data-tour]')].map(e => e.getAttribute('data-tour')))].sort();
}

export function close() {
    generation++;
    if (stopWaiting) { stopWaiting(); stopWaiting = null; }
    if (active) { const d = active; active = null; d.destroy(); }
}

/**
 * Shows one step. Waits (up to 15 s: the page may still be navigating or loading its data) for the
 * anchor to exist and be visible. Returns "shown", "missing" or "superseded".
 */
export async function show(step, runner) {
    close();
    const mine = generation;
    let el = null;
    for (const until = Date.now() + 15000; Date.now() < until;) {
        const found = find(step.anchor);
        if (found && visible(found)) { el = found; break; }
        await pause(100);
        if (mine !== generation) return 'superseded';
    }
    if (!el) return 'missing';

    const buttons = [];
    if (step.wait === 0) buttons.push('next');
    if (step.index > 0) buttons.push('previous');
    buttons.push('close');
    const d = driver({
        allowClose: true,
        allowKeyboardControl: false,
        overlayClickBehavior: () => { },
        stagePadding: 6,
        popoverClass: 'portal-tour',
        smoothScroll: false,
        onDestroyStarted: () => { if (active === d) runner.invokeMethodAsync('Skip'); },
    });
    active = d;
    el.scrollIntoView({ block: 'center', inline: 'nearest' });
    d.highlight({
        element: el,
        popover: {
            title: step.title,
            description: step.text,
            showButtons: buttons,
            showProgress: true,
            progressText: step.progress,
            nextBtnText: step.next,
            prevBtnText: step.back,
            doneBtnText: step.next,
            onNextClick: () => runner.invokeMethodAsync('Next'),
            onPrevClick: () => runner.invokeMethodAsync('Back'),
            onCloseClick: () => runner.invokeMethodAsync('Skip'),
            onPopoverRender: popover => {
                popover.wrapper.setAttribute('data-tour-step', String(step.index));
                popover.wrapper.setAttribute('data-tour-anchor', step.anchor);
                popover.closeButton.setAttribute('aria-label', step.skip);
                popover.closeButton.setAttribute('title', step.skip);
                const skip = document.createElement('button');
                skip.type = 'button';
                skip.className = 'portal-tour-skip';
                skip.textContent = step.skip;
                skip.addEventListener('click', () => runner.invokeMethodAsync('Skip'));
                popover.footer.insertBefore(skip, popover.footer.firstChild);
                if (step.hint) {
                    const hint = document.createElement('div');
                    hint.className = 'portal-tour-hint';
                    hint.textContent = step.hint;
                    popover.description.appendChild(hint);
                }
            },
        },
    });

    if (step.wait === 1) {
        // Click: the user presses the highlighted control itself.
        const onClick = () => { if (mine === generation) runner.invokeMethodAsync('Next'); };
        el.addEventListener('click', onClick, { once: true });
        stopWaiting = () => el.removeEventListener('click', onClick);
    } else if (step.wait === 2) {
        // Appear: what the action creates (a condition row, a dialog's field) shows up.
        let stopped = false;
        stopWaiting = () => { stopped = true; };
        (async () => {
            while (!stopped && mine === generation) {
                const target = find(step.waitTarget);
                if (target && visible(target)) { runner.invokeMethodAsync('Next'); return; }
                await pause(150);
            }
        })();
    }
    // Navigate (3) is decided by the runner from Blazor's own location events.
    return 'shown';
}

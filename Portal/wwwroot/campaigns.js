// The browser's IANA time zone, so campaign times are shown and entered in the user's own zone.
export function timeZone() {
    return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

// Puts a merge field where the caret is (replacing a selection); the textarea keeps its caret
// position after losing focus to the picker menu, so this works after the click.
export function insertAtCursor(element, text) {
  if (!element) return null;
  const value = element.value ?? "";
  const start = Number.isInteger(element.selectionStart) ? element.selectionStart : value.length;
  const end = Number.isInteger(element.selectionEnd) ? element.selectionEnd : start;
  const next = value.slice(0, start) + text + value.slice(end);
  element.value = next;
  const caret = start + text.length;
  element.focus();
  element.setSelectionRange(caret, caret);
  return next;
}

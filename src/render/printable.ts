/**
 * What a client sent is shown, never obeyed: control characters (a terminal's escape codes) and the marks that turn
 * text around (right-to-left overrides and isolates, which can make one id read as another) become visible.
 */
const CONTROL = new RegExp(
  String.raw`[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]`,
  'g',
)

export function printable(text: string): string {
  return text.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

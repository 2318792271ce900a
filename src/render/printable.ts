/** What a client sent is shown, never obeyed: control characters (a terminal's escape codes) become visible. */
const CONTROL = new RegExp(String.raw`[\u0000-\u001f\u007f-\u009f]`, 'g')

export function printable(text: string): string {
  return text.replace(CONTROL, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

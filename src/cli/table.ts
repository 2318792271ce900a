/** A plain left-aligned text table; widths follow the widest cell of each column. */
export function renderTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => visibleLength(row[i] ?? ''))))
  const format = (cells: readonly string[]): string =>
    cells
      .map((cell, i) => cell + ' '.repeat(Math.max(0, (widths[i] ?? 0) - visibleLength(cell))))
      .join('  ')
      .trimEnd()
  return [format(headers), ...rows.map(format)].join('\n')
}

// Escape sequences take no room on screen, so colour must not widen a column.
const ANSI = new RegExp(String.raw`\u001b\[[0-9;]*m`, 'g')

function visibleLength(text: string): number {
  return text.replace(ANSI, '').length
}

/**
 * Word-wraps `text` to `width` columns, keeping its own line breaks. A word longer than a line (a
 * URL, a JSON body) is cut across lines rather than truncated: a command must stay retypable.
 */
export function wrapText(text: string, width: number): string[] {
  const room = Math.max(1, width)
  const lines: string[] = []
  for (const paragraph of text.split('\n')) {
    let line = ''
    for (const word of paragraph.split(' ')) {
      const candidate = line === '' ? word : `${line} ${word}`
      if (candidate.length <= room) {
        line = candidate
        continue
      }
      if (line !== '') lines.push(line)
      let rest = word
      while (rest.length > room) {
        lines.push(rest.slice(0, room))
        rest = rest.slice(room)
      }
      line = rest
    }
    lines.push(line)
  }
  return lines
}

/** One line cut to `width`, marked with … when something was cut. */
export function truncateText(text: string, width: number): string {
  if (text.length <= width) return text
  return width <= 0 ? '' : `${text.slice(0, width - 1)}…`
}

import type { DemoSnapshot, PartStatus } from '../../demo/demo-runner.js'

/** One part in the agenda line: its mark says its status without colour. */
export interface AgendaItem {
  readonly label: string
  readonly status: PartStatus
  readonly current: boolean
}

export const STATUS_MARKS: Readonly<Record<PartStatus, string>> = {
  pending: '○',
  running: '▶',
  done: '✔',
  failed: '✘',
}

/** Between two items of a row. */
export const AGENDA_GAP = '  '

export function agendaItems(snapshot: DemoSnapshot): AgendaItem[] {
  return snapshot.parts.map((part, index) => ({
    label: `${STATUS_MARKS[part.status]} ${shortTitle(part.title)}`,
    status: part.status,
    current: index === snapshot.current,
  }))
}

/** "Part 3 · A runaway algorithm" → "A runaway algorithm": the header already numbers the current part. */
export function shortTitle(title: string): string {
  return title.replace(/^Part \d+ · /, '')
}

/** The items in rows of at most `width` columns, never splitting one; a row holds at least one item. */
export function packAgenda(items: readonly AgendaItem[], width: number): AgendaItem[][] {
  const rows: AgendaItem[][] = []
  let row: AgendaItem[] = []
  let used = 0
  for (const item of items) {
    const needed = row.length === 0 ? item.label.length : used + AGENDA_GAP.length + item.label.length
    if (row.length > 0 && needed > width) {
      rows.push(row)
      row = [item]
      used = item.label.length
    } else {
      row.push(item)
      used = needed
    }
  }
  if (row.length > 0) rows.push(row)
  return rows
}

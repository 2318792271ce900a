import type { DemoEvent } from '../../demo/demo-context.js'
import { truncateText, wrapText } from './wrap-text.js'

export type TranscriptKind = DemoEvent['type'] | 'remedy' | 'more'

/** One screen row of the current part's transcript: a two-column mark, then its text. */
export interface TranscriptLine {
  readonly kind: TranscriptKind
  readonly mark: string
  readonly text: string
  /** The first row of its event (the one that carries the mark). */
  readonly starts: boolean
}

/** An output longer than this is cut: the panes below show the records themselves. */
export const SHOW_MAX_LINES = 12
const MARK_WIDTH = 2

const MARKS: Readonly<Record<DemoEvent['type'], string>> = {
  say: '  ',
  command: '$ ',
  show: '  ',
  ok: '✔ ',
  problem: '✘ ',
}

/**
 * The events as rows of at most `width` columns. Narration, commands and problems wrap, so every
 * word stays readable and every command retypable; outputs are cut to fit, they are only evidence.
 */
export function transcriptLines(events: readonly DemoEvent[], width: number): TranscriptLine[] {
  const room = Math.max(1, width - MARK_WIDTH)
  return events.flatMap((event): TranscriptLine[] => {
    switch (event.type) {
      case 'show':
        return marked('show', MARKS.show, showRows(event.text, room))
      case 'command':
        return marked('command', MARKS.command, wrapText(event.line, room))
      case 'problem':
        return [
          ...marked('problem', MARKS.problem, wrapText(event.text, room)),
          ...remedyRows(event.remedies, room),
        ]
      default:
        return marked(event.type, MARKS[event.type], wrapText(event.text, room))
    }
  })
}

/**
 * The newest `rows` rows: a part's latest events are what the presenter is talking about. When
 * older rows give way, the first row says how many.
 */
export function fitTranscript(lines: readonly TranscriptLine[], rows: number): TranscriptLine[] {
  if (rows <= 0) return []
  if (lines.length <= rows) return [...lines]
  const kept = lines.slice(lines.length - (rows - 1))
  const hidden = lines.length - kept.length
  return [
    { kind: 'more', mark: '↑ ', text: `${hidden} earlier line${hidden === 1 ? '' : 's'}`, starts: true },
    ...kept,
  ]
}

/** Rows from the last problem to the end: the screen makes room for all of them, remedies included. */
export function rowsFromLastProblem(lines: readonly TranscriptLine[]): number {
  const start = lines.findLastIndex((line) => line.kind === 'problem' && line.starts)
  return start < 0 ? 0 : lines.length - start
}

function marked(kind: TranscriptKind, mark: string, texts: readonly string[]): TranscriptLine[] {
  return texts.map((text, index) => ({
    kind,
    mark: index === 0 ? mark : ' '.repeat(MARK_WIDTH),
    text,
    starts: index === 0,
  }))
}

function showRows(text: string, room: number): string[] {
  const rows = text.split('\n').map((line) => truncateText(line, room))
  if (rows.length <= SHOW_MAX_LINES) return rows
  const kept = rows.slice(0, SHOW_MAX_LINES - 1)
  return [...kept, `… ${rows.length - kept.length} more lines`]
}

function remedyRows(remedies: readonly string[], room: number): TranscriptLine[] {
  if (remedies.length === 0) return []
  const rows = remedies.flatMap((remedy) =>
    wrapText(remedy, room - 2).map((text, index) => ({
      text: `${index === 0 ? '- ' : '  '}${text}`,
      starts: index === 0,
    })),
  )
  return [{ text: 'Try this:', starts: true }, ...rows].map((row) => ({ kind: 'remedy', mark: '  ', ...row }))
}

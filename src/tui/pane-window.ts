import type { PaneBuffer, PaneEntry } from './pane-buffer.js'

/** What a pane shows in one frame. */
export interface PaneWindow {
  readonly topic: string
  readonly count: number
  readonly perSecond: number
  readonly entries: readonly PaneEntry[]
  /** Set only when the selected record is among `entries`. */
  readonly selectedSeq: number | undefined
}

/**
 * The newest `lines` records, unless the selected one is further back: then the window ends on it
 * and moves with it as records arrive, so a record stays put while the operator reads it.
 */
export function paneWindow(
  pane: PaneBuffer,
  selectedSeq: number | undefined,
  lines: number,
  now: number,
): PaneWindow {
  const index = selectedSeq === undefined ? undefined : pane.indexOf(selectedSeq)
  const skip = index === undefined || index < lines ? 0 : index - lines + 1
  return {
    topic: pane.topic,
    count: pane.count,
    perSecond: pane.perSecond(now),
    entries: pane.entries(Math.max(0, lines), skip),
    selectedSeq: index === undefined ? undefined : selectedSeq,
  }
}

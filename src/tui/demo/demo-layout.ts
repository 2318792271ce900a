import { computeLayout, FOOTER_LINES, HEADER_LINES, type Layout, type TerminalSize } from '../layout.js'

/** The demo screen from top to bottom: the part (header, transcript), the dashboard, the panes. */
export interface DemoLayout {
  readonly width: number
  readonly transcriptRows: number
  /** Undefined when the terminal is too short for the panes: the part comes first. */
  readonly panes: Layout | undefined
}

export const MIN_TRANSCRIPT_ROWS = 4
/** The panes' share of the rows below the header; the narration gets the rest. */
const PANE_SHARE = 0.45
/** Side by side, a pane's borders and title take 3 rows: 14 rows list 11 records each. */
const MAX_SIDE_BY_SIDE_ROWS = 14
const MAX_STACKED_ROWS_PER_PANE = 4

export interface DemoLayoutRequest {
  readonly size: TerminalSize
  readonly paneCount: number
  /** Rows of the part's header (title, agenda, keys). */
  readonly headerRows: number
  /** Rows the transcript must keep, e.g. for a problem and its remedies; panes shrink or go for them. */
  readonly transcriptMinRows?: number
}

/**
 * Shares the terminal between the walkthrough and the live panes: the panes get fewer lines as
 * the terminal gets shorter, and disappear before the transcript gets too short to read. The panes
 * themselves are laid out by the tail view's own layout (side by side from 120 columns, stacked below).
 */
export function computeDemoLayout(request: DemoLayoutRequest): DemoLayout {
  const { size, paneCount } = request
  // computeLayout fits a whole tail screen (header, panes, status); asked for a screen with exactly
  // `rows` between its header and status, it lays out just the panes. Asked for none, it gives the least it needs.
  const panesIn = (rows: number): Layout =>
    computeLayout({ columns: size.columns, rows: rows + HEADER_LINES + FOOTER_LINES + 1 }, paneCount)
  const smallest = panesIn(0)
  const width = smallest.width
  // One row short of the screen, as the tail view's frame is; the dashboard takes HEADER_LINES.
  const available = Math.max(0, size.rows - 1 - request.headerRows - HEADER_LINES)
  const transcriptMin = Math.max(MIN_TRANSCRIPT_ROWS, request.transcriptMinRows ?? 0)
  if (available - smallest.bodyHeight < transcriptMin)
    return { width, transcriptRows: available, panes: undefined }
  const most = smallest.direction === 'row' ? MAX_SIDE_BY_SIDE_ROWS : paneCount * MAX_STACKED_ROWS_PER_PANE
  const wanted = Math.max(smallest.bodyHeight, Math.min(most, Math.round(available * PANE_SHARE)))
  const panes = panesIn(Math.min(wanted, available - transcriptMin))
  return { width, transcriptRows: available - panes.bodyHeight, panes }
}

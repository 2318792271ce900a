export interface TerminalSize {
  readonly columns: number
  readonly rows: number
}

/** One pane's box: its outer size, the width its text may use, and how many records it lists. */
export interface PaneBox {
  readonly width: number
  readonly height: number
  readonly textWidth: number
  readonly lines: number
}

export interface Layout {
  readonly direction: 'row' | 'column'
  /** Side by side, borders separate the panes; stacked, each title line does. */
  readonly bordered: boolean
  /** The width every full-width line (header, status) may use. */
  readonly width: number
  /** Rows between the header and the status lines, for the panes or an expanded record. */
  readonly bodyHeight: number
  readonly panes: readonly PaneBox[]
}

export const SIDE_BY_SIDE_MIN_COLUMNS = 120
export const HEADER_LINES = 2
export const FOOTER_LINES = 2
export const DEFAULT_SIZE: TerminalSize = { columns: 80, rows: 24 }

const BORDER = 2
const TITLE_LINES = 1

/**
 * Fits the panes to the terminal. The frame stays one row short of the screen and one column
 * short of its edge: a frame as tall as the terminal makes Ink clear the screen on every redraw,
 * and a line as wide as it wraps in some terminals.
 */
export function computeLayout(size: TerminalSize, paneCount: number): Layout {
  const width = Math.max(20, size.columns - 1)
  const direction = size.columns >= SIDE_BY_SIDE_MIN_COLUMNS ? 'row' : 'column'
  const count = Math.max(1, paneCount)
  const minBody = direction === 'row' ? BORDER + TITLE_LINES + 1 : count * (TITLE_LINES + 1)
  const bodyHeight = Math.max(minBody, size.rows - HEADER_LINES - FOOTER_LINES - 1)
  if (direction === 'row') {
    const panes = split(width, count).map((paneWidth) => ({
      width: paneWidth,
      height: bodyHeight,
      textWidth: paneWidth - BORDER,
      lines: bodyHeight - BORDER - TITLE_LINES,
    }))
    return { direction, bordered: true, width, bodyHeight, panes }
  }
  const panes = split(bodyHeight, count).map((height) => ({
    width,
    height,
    textWidth: width,
    lines: Math.max(1, height - TITLE_LINES),
  }))
  return { direction, bordered: false, width, bodyHeight, panes }
}

/** `total` in `parts` near-equal integers, the larger ones first. */
export function split(total: number, parts: number): number[] {
  const base = Math.floor(total / parts)
  const extra = total - base * parts
  return Array.from({ length: parts }, (_, index) => base + (index < extra ? 1 : 0))
}

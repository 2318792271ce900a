import { describe, expect, it } from 'vitest'
import { computeDemoLayout, MIN_TRANSCRIPT_ROWS } from '../../../src/tui/demo/demo-layout.js'
import { HEADER_LINES } from '../../../src/tui/layout.js'

const layout = (columns: number, rows: number, transcriptMinRows?: number) =>
  computeDemoLayout({
    size: { columns, rows },
    paneCount: 5,
    headerRows: 4,
    ...(transcriptMinRows === undefined ? {} : { transcriptMinRows }),
  })

describe('computeDemoLayout', () => {
  it('puts the panes side by side from 120 columns and stacks them below, as the tail view does', () => {
    expect(layout(120, 40).panes?.direction).toBe('row')
    expect(layout(119, 40).panes?.direction).toBe('column')
  })

  it('fills the screen but one row: header, transcript, dashboard and panes', () => {
    for (const [columns, rows] of [
      [120, 40],
      [200, 60],
      [80, 24],
      [100, 30],
    ] as const) {
      const screen = layout(columns, rows)
      expect(4 + screen.transcriptRows + HEADER_LINES + (screen.panes?.bodyHeight ?? 0)).toBe(rows - 1)
      expect(screen.transcriptRows).toBeGreaterThanOrEqual(MIN_TRANSCRIPT_ROWS)
      expect(screen.width).toBe(columns - 1)
    }
  })

  it('gives the panes fewer lines in a shorter terminal, and none when the transcript would be too short', () => {
    const tall = layout(160, 50).panes!
    const short = layout(160, 26).panes!
    expect(short.panes[0]!.lines).toBeLessThan(tall.panes[0]!.lines)
    expect(layout(160, 14).panes).toBeUndefined()
    expect(layout(100, 18).panes).toBeUndefined()
    expect(layout(100, 18).transcriptRows).toBe(18 - 1 - 4 - HEADER_LINES)
  })

  it('makes room for a problem and its remedies, at the panes’ expense', () => {
    const plain = layout(120, 40)
    const withProblem = layout(120, 40, 25)
    expect(withProblem.transcriptRows).toBeGreaterThanOrEqual(25)
    expect(withProblem.panes!.bodyHeight).toBeLessThan(plain.panes!.bodyHeight)
    expect(layout(120, 40, 32).panes).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { computeLayout, FOOTER_LINES, HEADER_LINES, split } from '../../../src/tui/layout.js'

describe('computeLayout', () => {
  it('puts the panes side by side from 120 columns, filling the width', () => {
    const layout = computeLayout({ columns: 200, rows: 40 }, 5)
    expect(layout.direction).toBe('row')
    expect(layout.bordered).toBe(true)
    expect(layout.panes.map((pane) => pane.width)).toEqual([40, 40, 40, 40, 39])
    expect(layout.panes.reduce((sum, pane) => sum + pane.width, 0)).toBe(199)
    expect(layout.panes[0]).toMatchObject({ height: layout.bodyHeight, textWidth: 38 })
    // Border (2) and title (1) leave the rest of the body for records.
    expect(layout.panes[0]?.lines).toBe(layout.bodyHeight - 3)
  })

  it('stacks the panes below 120 columns, each with fewer lines', () => {
    const layout = computeLayout({ columns: 119, rows: 40 }, 5)
    expect(layout.direction).toBe('column')
    expect(layout.bordered).toBe(false)
    expect(layout.panes.every((pane) => pane.width === 118 && pane.textWidth === 118)).toBe(true)
    expect(layout.panes.reduce((sum, pane) => sum + pane.height, 0)).toBe(layout.bodyHeight)
    expect(layout.panes.map((pane) => pane.lines)).toEqual([6, 6, 6, 6, 6])
  })

  it('keeps the whole frame one row shorter than the terminal', () => {
    for (const size of [
      { columns: 80, rows: 24 },
      { columns: 200, rows: 50 },
    ]) {
      const layout = computeLayout(size, 5)
      expect(HEADER_LINES + layout.bodyHeight + FOOTER_LINES).toBe(size.rows - 1)
    }
  })

  it('still gives every pane a title and a line in a tiny terminal', () => {
    const layout = computeLayout({ columns: 40, rows: 8 }, 5)
    expect(layout.panes.every((pane) => pane.lines >= 1)).toBe(true)
    expect(layout.width).toBe(39)
  })
})

describe('split', () => {
  it('divides a total into near-equal parts, larger first', () => {
    expect(split(10, 3)).toEqual([4, 3, 3])
    expect(split(9, 3)).toEqual([3, 3, 3])
  })
})

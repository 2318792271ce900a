import { describe, expect, it } from 'vitest'
import { PaneBuffer } from '../../../src/tui/pane-buffer.js'
import { paneWindow } from '../../../src/tui/pane-window.js'
import { order } from './records.js'

describe('PaneBuffer', () => {
  it('keeps the newest records, counts all of them and numbers them for selection', () => {
    const pane = new PaneBuffer({ topic: 'orders.v1', startedAt: 0, capacity: 3 })
    const records = ['1', '2', '3', '4', '5'].map((account) => order(account))
    records.forEach((record, index) => pane.push(record, index * 100))
    expect(pane.count).toBe(5)
    expect(pane.buffered).toBe(3)
    expect(pane.entries(10).map((entry) => entry.seq)).toEqual([4, 3, 2])
    expect(pane.find(4)?.record).toBe(records[4])
    expect(pane.find(1)).toBeUndefined()
    expect(pane.indexOf(2)).toBe(2)
    expect(pane.indexOf(5)).toBeUndefined()
  })

  it('reports its rate over the last few seconds', () => {
    const pane = new PaneBuffer({ topic: 'orders.v1', startedAt: 0, rateWindowMs: 2000 })
    for (let t = 0; t < 2000; t += 20) pane.push(order('1'), t)
    expect(pane.perSecond(1999)).toBeCloseTo(50, 0)
    expect(pane.perSecond(9000)).toBe(0)
  })
})

describe('paneWindow', () => {
  const filled = (count: number): PaneBuffer => {
    const pane = new PaneBuffer({ topic: 'orders.v1', startedAt: 0, capacity: 50 })
    for (let n = 0; n < count; n += 1) pane.push(order(String(n)), 0)
    return pane
  }

  it('shows the newest records when nothing is selected', () => {
    const window = paneWindow(filled(20), undefined, 4, 0)
    expect(window.entries.map((entry) => entry.seq)).toEqual([19, 18, 17, 16])
    expect(window.selectedSeq).toBeUndefined()
    expect(window.count).toBe(20)
  })

  it('ends on a selected record further back, so it stays in view while records arrive', () => {
    const pane = filled(20)
    expect(paneWindow(pane, 10, 4, 0).entries.map((entry) => entry.seq)).toEqual([13, 12, 11, 10])
    pane.push(order('new'), 0)
    expect(paneWindow(pane, 10, 4, 0).entries.map((entry) => entry.seq)).toEqual([13, 12, 11, 10])
    expect(paneWindow(pane, 18, 4, 0).entries.map((entry) => entry.seq)).toEqual([20, 19, 18, 17])
  })

  it('drops a selection whose record has left the buffer', () => {
    const pane = filled(60)
    const window = paneWindow(pane, 3, 4, 0)
    expect(window.selectedSeq).toBeUndefined()
    expect(window.entries[0]?.seq).toBe(59)
  })
})

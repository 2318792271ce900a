import { describe, expect, it } from 'vitest'
import type { DemoSnapshot } from '../../../src/demo/demo-runner.js'
import { agendaItems, packAgenda, shortTitle } from '../../../src/tui/demo/agenda.js'

const snapshot: DemoSnapshot = {
  parts: [
    { id: 'a', title: 'Part 1 · Architecture', minutes: 2, status: 'done' },
    { id: 'b', title: 'Part 2 · Normal operation', minutes: 2, status: 'failed' },
    { id: 'c', title: 'Part 3 · A runaway algorithm', minutes: 3, status: 'running' },
    { id: 'd', title: 'Key takeaways', minutes: 1, status: 'pending' },
  ],
  current: 2,
  events: [],
  finished: false,
}

describe('agenda', () => {
  it('labels each part with a status mark that reads without colour', () => {
    expect(agendaItems(snapshot).map((item) => item.label)).toEqual([
      '✔ Architecture',
      '✘ Normal operation',
      '▶ A runaway algorithm',
      '○ Key takeaways',
    ])
    expect(agendaItems(snapshot).map((item) => item.current)).toEqual([false, false, true, false])
  })

  it('drops the "Part N ·" prefix: the header numbers the current part', () => {
    expect(shortTitle('Part 6 · Compaction: history vs latest state')).toBe(
      'Compaction: history vs latest state',
    )
    expect(shortTitle('Key takeaways')).toBe('Key takeaways')
  })

  it('packs the items in rows of the width, two spaces apart, never splitting one', () => {
    const packed = packAgenda(agendaItems(snapshot), 40)
    expect(packed.map((row) => row.map((item) => item.label).join('  '))).toEqual([
      '✔ Architecture  ✘ Normal operation',
      '▶ A runaway algorithm  ○ Key takeaways',
    ])
    // An item wider than the row still gets a row of its own (the header cuts it).
    expect(packAgenda(agendaItems(snapshot), 5)).toHaveLength(4)
  })
})

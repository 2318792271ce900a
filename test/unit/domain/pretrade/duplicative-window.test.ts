import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { DuplicativeWindow, duplicativeKey, type DuplicativeKeyFields } from '../../../../src/domain/pretrade/duplicative-window.js'
import { UndoJournal } from '../../../../src/domain/pretrade/undo-journal.js'

const order = (overrides: Partial<DuplicativeKeyFields> = {}): DuplicativeKeyFields => ({
  account_id: 'a1',
  symbol: 'AAPL',
  side: 'BUY',
  qty: 100,
  price: 190.5,
  ...overrides,
})

function window(ms = 1000): { w: DuplicativeWindow; journal: UndoJournal } {
  const journal = new UndoJournal()
  return { w: new DuplicativeWindow(ms, journal), journal }
}

describe('DuplicativeWindow', () => {
  it('finds the same account, symbol, side, quantity and price within the window, and nothing that differs in one', () => {
    const { w } = window()
    w.allow(order(), 1000)
    expect(w.within(order(), 1999)).toBe(1000)
    expect(w.within(order(), 2000)).toBeUndefined()
    const others: Partial<DuplicativeKeyFields>[] = [{ account_id: 'a2' }, { symbol: 'MSFT' }, { side: 'SELL' }, { qty: 101 }, { price: 190.51 }]
    for (const other of others) {
      expect(w.within(order(other), 1500), JSON.stringify(other)).toBeUndefined()
    }
  })

  it('tells apart two orders whose price and quantity fall in one bucket', () => {
    const { w } = window()
    // 1 × 1,000,003 + 1,000,004 = 2 × 1,000,003 + 1: the same bucket, not the same order.
    w.allow(order({ price: 1, qty: 1_000_004 }), 0)
    expect(w.within(order({ price: 2, qty: 1 }), 10)).toBeUndefined()
    w.allow(order({ price: 2, qty: 1 }), 20)
    expect(w.within(order({ price: 1, qty: 1_000_004 }), 30)).toBe(0)
    expect(w.within(order({ price: 2, qty: 1 }), 30)).toBe(20)
    expect(w.size).toBe(2)
  })

  it('a rollback takes back a new key and a refreshed one, and what expired is forgotten', () => {
    const { w, journal } = window()
    w.allow(order(), 0)
    journal.confirm()
    w.allow(order({ qty: 5 }), 600)
    expect(w.within(order(), 600)).toBe(0)
    w.allow(order(), 700)
    journal.rollback()
    expect(w.within(order({ qty: 5 }), 700)).toBeUndefined()
    expect(w.within(order(), 900)).toBe(0)
    // The first arrival is past the window: the key is gone, and nothing is held.
    expect(w.within(order(), 1000)).toBeUndefined()
    expect(w.size).toBe(0)
  })

  it('restores orders read back within the window only, the latest time per key', () => {
    const { w } = window(500)
    w.restore(order(), 100, 1000)
    w.restore(order({ qty: 7 }), 600, 1000)
    w.restore(order({ qty: 7 }), 800, 1000)
    w.restore(order({ qty: 7 }), 700, 1000)
    expect(w.within(order(), 1000)).toBeUndefined()
    expect(w.within(order({ qty: 7 }), 1000)).toBe(800)
    // Stamped by a router whose clock ran ahead: counted as now, not skipped.
    w.restore(order({ qty: 9 }), 1200, 1000)
    expect(w.within(order({ qty: 9 }), 1001)).toBe(1000)
    w.clear()
    expect(w.within(order({ qty: 7 }), 1000)).toBeUndefined()
  })

  it('answers as a map of duplicativeKey to the last time let through would, over random runs with rollbacks', () => {
    const step = fc.oneof(
      fc.record({ type: fc.constant('allow' as const), i: fc.integer({ min: 0, max: 5 }), dt: fc.integer({ min: 0, max: 400 }) }),
      fc.record({ type: fc.constant('confirm' as const) }),
      fc.record({ type: fc.constant('rollback' as const) }),
    )
    const keys = [order(), order({ qty: 1 }), order({ side: 'SELL' }), order({ account_id: 'a2' }), order({ price: 1, qty: 1_000_004 }), order({ price: 2, qty: 1 })]
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), (steps) => {
        const { w, journal } = window(1000)
        let confirmed = new Map<string, number>()
        let pending = new Map<string, number>()
        let now = 0
        for (const s of steps) {
          if (s.type === 'confirm') {
            journal.confirm()
            confirmed = new Map(pending)
          } else if (s.type === 'rollback') {
            journal.rollback()
            pending = new Map(confirmed)
          } else {
            now += s.dt
            const k = keys[s.i]!
            const expected = pending.get(duplicativeKey(k))
            const within = expected !== undefined && now - expected < 1000 ? expected : undefined
            expect(w.within(k, now)).toBe(within)
            if (within === undefined) {
              w.allow(k, now)
              pending.set(duplicativeKey(k), now)
            }
          }
        }
      }),
      { seed: 7, numRuns: 300 },
    )
  })
})

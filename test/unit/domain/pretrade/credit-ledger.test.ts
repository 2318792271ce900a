import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CreditLedger } from '../../../../src/domain/pretrade/credit-ledger.js'
import { TradingDay } from '../../../../src/domain/pretrade/trading-day.js'
import { UndoJournal } from '../../../../src/domain/pretrade/undo-journal.js'

const DAY = new TradingDay('America/New_York', 17)
const MORNING = Date.parse('2026-12-07T15:00:00Z')
const NEXT_DAY = Date.parse('2026-12-07T22:00:00Z')

describe('the credit ledger', () => {
  it('counts what was let through today, and starts again at the next trading day', () => {
    const ledger = new CreditLedger(DAY, new UndoJournal())
    ledger.spend('A', 400, 1000, MORNING)
    expect(ledger.wouldExceed('A', 600, 1000, MORNING)).toBe(false)
    expect(ledger.wouldExceed('A', 601, 1000, MORNING)).toBe(true)
    expect(ledger.used('A', NEXT_DAY)).toBe(0)
    expect(ledger.used('B', MORNING)).toBe(0)
  })

  it('warns once per step crossed, naming the highest step a spend reached', () => {
    const ledger = new CreditLedger(DAY, new UndoJournal())
    expect(ledger.spend('A', 400, 1000, MORNING)).toBeUndefined()
    expect(ledger.spend('A', 100, 1000, MORNING)?.step).toBe(0.5)
    expect(ledger.spend('A', 10, 1000, MORNING)).toBeUndefined()
    expect(ledger.spend('A', 500, 1000, MORNING)?.step).toBe(0.9)
    expect(ledger.spend('A', 1, 1000, MORNING)).toBeUndefined()
  })

  it('does not warn again after a restart of a step crossed before it', () => {
    const ledger = new CreditLedger(DAY, new UndoJournal())
    ledger.restore('A', 600, MORNING - 1000, MORNING)
    expect(ledger.spend('A', 100, 1000, MORNING)).toBeUndefined()
    expect(ledger.spend('A', 60, 1000, MORNING)?.step).toBe(0.75)
  })

  it('never opens a fresh credit line when the router clock steps back over the day start', () => {
    const ledger = new CreditLedger(DAY, new UndoJournal())
    ledger.spend('A', 900, 1000, NEXT_DAY)
    expect(ledger.wouldExceed('A', 200, 1000, MORNING)).toBe(true)
    ledger.spend('A', 50, 1000, MORNING)
    expect(ledger.used('A', NEXT_DAY)).toBe(950)
  })

  it('restores only what was stamped within today, and a stamp after now (a clock ahead of this one) as now', () => {
    const ledger = new CreditLedger(DAY, new UndoJournal())
    ledger.restore('A', 500, Date.parse('2026-12-06T21:59:59Z'), MORNING)
    ledger.restore('A', 70, Date.parse('2026-12-06T22:00:00Z'), MORNING)
    ledger.restore('A', 9, MORNING + 1, MORNING)
    ledger.restore('A', 1000, MORNING + 86_400_000, MORNING)
    expect(ledger.used('A', MORNING)).toBe(1079)
  })

  it('undoes, on a failed write, exactly the spends not yet confirmed', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.constantFrom('A', 'B', 'C'), fc.integer({ min: 1, max: 1000 }), fc.boolean()), { maxLength: 40 }),
        fc.nat(40),
        (spends, confirmed) => {
          const journal = new UndoJournal()
          const ledger = new CreditLedger(DAY, journal)
          // The model: per account, the day counted and the notional confirmed in it; a day never moves back.
          const model = new Map<string, { day: number; used: number }>()
          spends.forEach(([account, notional, nextDay], i) => {
            const now = nextDay ? NEXT_DAY : MORNING
            ledger.spend(account, notional, 10_000, now)
            if (i >= confirmed) return
            const day = DAY.startOf(now)
            const entry = model.get(account)
            if (entry !== undefined && entry.day >= day) entry.used += notional
            else model.set(account, { day, used: notional })
          })
          journal.confirm(Math.min(confirmed, spends.length))
          journal.rollback()
          expect(journal.pending).toBe(0)
          for (const account of ['A', 'B', 'C']) {
            const entry = model.get(account)
            expect(ledger.used(account, MORNING)).toBe(entry?.used ?? 0)
            expect(ledger.used(account, NEXT_DAY)).toBe(entry !== undefined && entry.day >= DAY.startOf(NEXT_DAY) ? entry.used : 0)
          }
        },
      ),
    )
  })
})

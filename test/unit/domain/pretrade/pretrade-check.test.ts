import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { Order } from '../../../../src/domain/order.js'
import { CreditLedger } from '../../../../src/domain/pretrade/credit-ledger.js'
import { DuplicativeWindow, duplicativeKey } from '../../../../src/domain/pretrade/duplicative-window.js'
import { MessageRateMeter } from '../../../../src/domain/pretrade/message-rate.js'
import type { ReferencePrice } from '../../../../src/domain/pretrade/order-checks.js'
import { pretradeCheck, spendPretrade, type PretradeView } from '../../../../src/domain/pretrade/pretrade-check.js'
import { effectiveLimits, type EffectiveLimits, type RiskLimits } from '../../../../src/domain/pretrade/risk-limits.js'
import { TradingDay } from '../../../../src/domain/pretrade/trading-day.js'
import { UndoJournal } from '../../../../src/domain/pretrade/undo-journal.js'

const START = Date.parse('2026-12-07T15:00:00Z')
const DAY = new TradingDay('America/New_York', 17)

/** The checks as a router runs them, over a fixed view: decide one order at a time, spending when allowed. */
class Driver {
  readonly journal = new UndoJournal()
  readonly spending = {
    credit: new CreditLedger(DAY, this.journal),
    duplicative: new DuplicativeWindow(1000, this.journal),
    messageRate: new MessageRateMeter(this.journal),
  }
  readonly view: PretradeView
  readonly limits: EffectiveLimits

  constructor(limits: RiskLimits, prices: Record<string, number> = { AAPL: 100, MSFT: 400 }) {
    this.limits = effectiveLimits(limits, undefined, undefined)
    this.view = {
      referencePrice: (symbol): ReferencePrice | undefined => (symbol in prices ? { price: prices[symbol]!, at: START - 60_000 } : undefined),
      maxReferenceAgeMs: 24 * 3_600_000,
    }
  }

  decide(order: Order, nowMs: number): string {
    const limits = this.limits
    const failure = pretradeCheck(order, limits, this.view, this.spending, nowMs)
    if (failure !== undefined) return failure.check
    spendPretrade(order, limits, this.spending, nowMs)
    return 'ALLOW'
  }
}

let sequence = 0
const order = (fields: Partial<Order> = {}): Order => ({
  order_id: `o-${(sequence += 1)}`,
  ts: START,
  account_id: 'A',
  symbol: 'AAPL',
  side: 'BUY',
  qty: 10,
  price: 100,
  strategy: 'S',
  ...fields,
})

const orders = fc.array(
  fc.record({
    account_id: fc.constantFrom('A', 'B'),
    symbol: fc.constantFrom('AAPL', 'MSFT'),
    side: fc.constantFrom('BUY' as const, 'SELL' as const),
    qty: fc.integer({ min: 1, max: 50 }),
    price: fc.constantFrom(99, 100, 101, 399, 400, 401),
    dt: fc.integer({ min: 0, max: 400 }),
  }),
  { maxLength: 60 },
)
const LIMITS: RiskLimits = { credit_limit: 50_000, message_rate: 3, collar_pct: 5 }

describe('the pre-trade checks of one order', () => {
  it.each([
    ['a plain order', {}, [order()], ['ALLOW']],
    ['the same order again within the window', {}, [order(), order()], ['ALLOW', 'DUPLICATIVE']],
    ['the same order on the other side', {}, [order(), order({ side: 'SELL' })], ['ALLOW', 'ALLOW']],
    ['a fourth order in a second over a cap of 3', { message_rate: 3 }, [order({ qty: 1 }), order({ qty: 2 }), order({ qty: 3 }), order({ qty: 4 })], ['ALLOW', 'ALLOW', 'ALLOW', 'MESSAGE_RATE']],
    ['an order past the credit line', { credit_limit: 1500 }, [order({ qty: 10 }), order({ qty: 6 }), order({ qty: 5 })], ['ALLOW', 'CREDIT_LIMIT', 'ALLOW']],
    ['a symbol with no reference price', {}, [order({ symbol: 'ZZZ' })], ['NO_REFERENCE_PRICE']],
  ] as const)('%s', (_, limits, sequenceOf, expected) => {
    const driver = new Driver(limits)
    expect(sequenceOf.map((o) => driver.decide(o, START))).toEqual(expected)
  })

  it('lets the same order through again once its window has passed', () => {
    const driver = new Driver({})
    expect(driver.decide(order(), START)).toBe('ALLOW')
    expect(driver.decide(order(), START + 999)).toBe('DUPLICATIVE')
    expect(driver.decide(order(), START + 1000)).toBe('ALLOW')
    // A router clock stepped back is within the window: fail closed.
    expect(driver.decide(order(), START - 5000)).toBe('DUPLICATIVE')
  })

  it('keeps every bound over any flow: credit per day, orders per second, no duplicative pair within the window', () => {
    fc.assert(
      fc.property(orders, (flow) => {
        const driver = new Driver(LIMITS)
        let now = START
        const allowed: { o: Order; at: number }[] = []
        for (const { dt, ...fields } of flow) {
          now += dt
          const o = order(fields)
          if (driver.decide(o, now) === 'ALLOW') allowed.push({ o, at: now })
        }
        for (const account of ['A', 'B']) {
          const mine = allowed.filter((a) => a.o.account_id === account)
          expect(mine.reduce((sum, a) => sum + a.o.qty * a.o.price, 0)).toBeLessThanOrEqual(LIMITS.credit_limit!)
          const perSecond = new Map<number, number>()
          for (const a of mine) perSecond.set(Math.floor(a.at / 1000), (perSecond.get(Math.floor(a.at / 1000)) ?? 0) + 1)
          for (const count of perSecond.values()) expect(count).toBeLessThanOrEqual(LIMITS.message_rate!)
        }
        for (let i = 0; i < allowed.length; i += 1) {
          for (let j = i + 1; j < allowed.length; j += 1) {
            if (duplicativeKey(allowed[i]!.o) === duplicativeKey(allowed[j]!.o)) {
              expect(allowed[j]!.at - allowed[i]!.at).toBeGreaterThanOrEqual(1000)
            }
          }
        }
      }),
    )
  })

  it('spends nothing on a dropped order', () => {
    fc.assert(
      fc.property(orders, (flow) => {
        const driver = new Driver(LIMITS)
        let now = START
        for (const { dt, ...fields } of flow) {
          now += dt
          const before = driver.journal.pending
          const verdict = driver.decide(order(fields), now)
          expect(driver.journal.pending > before).toBe(verdict === 'ALLOW')
        }
      }),
    )
  })

  it('judges orders read again after a failed write as it judged them the first time', () => {
    fc.assert(
      fc.property(orders, fc.nat(60), (flow, durable) => {
        const driver = new Driver(LIMITS)
        const timed: { o: Order; at: number }[] = []
        let now = START
        for (const { dt, ...fields } of flow) timed.push({ o: order(fields), at: (now += dt) })
        const cut = Math.min(durable, timed.length)
        const first = timed.map(({ o, at }) => driver.decide(o, at))
        // The first `cut` decisions were written; the write of the rest failed, and they come again.
        const spentByDurable = first.slice(0, cut).filter((v) => v === 'ALLOW').length * 3
        driver.journal.confirm(spentByDurable)
        driver.journal.rollback()
        const again = timed.slice(cut).map(({ o, at }) => driver.decide(o, at))
        expect(again).toEqual(first.slice(cut))
      }),
    )
  })
})

import { describe, expect, it } from 'vitest'
import type { KillState } from '../../../../src/domain/kill-status.js'
import { KillStateTable } from '../../../../src/domain/kill-state-table.js'
import type { Order } from '../../../../src/domain/order.js'
import { decideOrder, type PretradeContext } from '../../../../src/domain/order-decision.js'
import { CreditLedger } from '../../../../src/domain/pretrade/credit-ledger.js'
import { DuplicativeWindow } from '../../../../src/domain/pretrade/duplicative-window.js'
import { LimitsTable } from '../../../../src/domain/pretrade/limits-table.js'
import { MessageRateMeter } from '../../../../src/domain/pretrade/message-rate.js'
import { ReferencePriceTable } from '../../../../src/domain/pretrade/reference-prices.js'
import type { RiskLimits } from '../../../../src/domain/pretrade/risk-limits.js'
import { TradingDay } from '../../../../src/domain/pretrade/trading-day.js'
import { UndoJournal } from '../../../../src/domain/pretrade/undo-journal.js'
import { RecentIds } from '../../../../src/domain/recent-ids.js'
import { ThrottleMeter } from '../../../../src/domain/throttle-meter.js'

const T = Date.parse('2026-12-07T15:00:00Z')
let n = 0
const order = (fields: Partial<Order> = {}): Order => ({
  order_id: `o-${(n += 1)}`,
  ts: T,
  account_id: 'acct-a',
  symbol: 'AAPL',
  side: 'BUY',
  qty: 10,
  price: 100,
  strategy: 'momo',
  ...fields,
})
const killed = (scope: string, fields: Partial<KillState> = {}): KillState => ({
  scope,
  status: 'KILLED',
  updated_ts: T,
  updated_by: 'detector',
  reason: 'breach',
  last_cmd_id: `c-${scope}`,
  corr_id: `k-${scope}`,
  ...fields,
})

/** A router's decision with every check on, over given limits, kill states and prices. */
function gateway(limits: RiskLimits, states: readonly KillState[] = []) {
  const table = new KillStateTable()
  for (const state of states) table.apply(state)
  const prices = new ReferencePriceTable()
  prices.apply({ symbol: 'AAPL', price: 100, ts: T, source: 'test' }, T - 1000)
  const journal = new UndoJournal()
  const context: PretradeContext = {
    limits: new LimitsTable(limits).view,
    prices: { referencePrice: (symbol) => prices.view.referencePrice(symbol), maxReferenceAgeMs: 60_000 },
    spending: {
      credit: new CreditLedger(new TradingDay('UTC', 0), journal),
      duplicative: new DuplicativeWindow(1000, journal),
      messageRate: new MessageRateMeter(journal),
    },
  }
  const meter = new ThrottleMeter()
  const seen = new RecentIds(1000)
  return { journal, meter, context, decide: (o: Order, now = T) => decideOrder(o, table, meter, seen, now, context) }
}

describe('a decision with the pre-trade checks on', () => {
  it('lets a plain order through with no check named', () => {
    const { decide } = gateway({ max_order_qty: 100 })
    expect(decide(order())).toMatchObject({ decision: 'ALLOW', check: null })
  })

  it('drops a fat-finger order by its check, with its reason', () => {
    const { decide } = gateway({ max_order_qty: 100 })
    expect(decide(order({ qty: 1000 }))).toMatchObject({ decision: 'DROP', check: 'MAX_ORDER_QTY', reason: 'MAX_ORDER_QTY: 1000 over 100' })
  })

  it('keeps the kill switch first: a killed account is KILL_SWITCH even when a check would fail too', () => {
    const { decide, journal } = gateway({ max_order_qty: 100 }, [killed('ACCOUNT:acct-a')])
    expect(decide(order({ qty: 1000 }))).toMatchObject({ decision: 'DROP', check: 'KILL_SWITCH' })
    expect(journal.pending).toBe(0)
  })

  it('spends no throttle budget on an order a check drops', () => {
    const throttled = killed('ACCOUNT:acct-a', { status: 'THROTTLED', max_orders_per_sec: 1 })
    const { decide } = gateway({ max_order_qty: 100 }, [throttled])
    expect(decide(order({ qty: 1000 }))).toMatchObject({ decision: 'DROP', check: 'MAX_ORDER_QTY', killswitch_status: 'THROTTLED' })
    // The throttle's one order this second is still there for the next good order.
    expect(decide(order())).toMatchObject({ decision: 'ALLOW', killswitch_status: 'THROTTLED' })
    expect(decide(order({ qty: 11 }))).toMatchObject({ decision: 'DROP', check: 'THROTTLE' })
  })

  it('remembers the order_id of an order a check drops: its re-send is a DUPLICATE', () => {
    const { decide } = gateway({ max_order_qty: 100 })
    const fat = order({ qty: 1000 })
    expect(decide(fat).check).toBe('MAX_ORDER_QTY')
    expect(decide(fat)).toMatchObject({ decision: 'DUPLICATE', check: 'DUPLICATE_ORDER_ID' })
  })

  it('walks an account up its credit ladder to a block', () => {
    const { decide } = gateway({ credit_limit: 10_000 })
    const steps = Array.from({ length: 11 }, (_, i) => decide(order({ qty: 10, price: 100 }), T + i * 1000))
    expect(steps.map((d) => d.warning?.step).filter((step) => step !== undefined)).toEqual([0.5, 0.75, 0.9])
    expect(steps.slice(0, 10).every((d) => d.decision === 'ALLOW')).toBe(true)
    expect(steps[10]).toMatchObject({ decision: 'DROP', check: 'CREDIT_LIMIT' })
  })

  it('drops an order whose symbol has no reference price, failing closed', () => {
    const { decide } = gateway({})
    expect(decide(order({ symbol: 'MSFT' }))).toMatchObject({ decision: 'DROP', check: 'NO_REFERENCE_PRICE' })
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { LimitsTopology } from '../../src/config/limits-topology.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import { duplicativeKey } from '../../src/domain/pretrade/duplicative-window.js'
import type { Order } from '../../src/domain/order.js'
import { AUDIT, ORDERS, ORDERS_GATED, REFERENCE_PRICES } from '../../topologies/topics.js'
import { anOrder } from '../helpers/fixtures.js'
import { TopologyTestDriver } from '../helpers/topology-test-driver.js'

/**
 * The checks that keep state over time (ADR 0014, 11 to 13), against what was let through, over random runs of
 * orders, clock steps and router restarts (each reads orders.gated.v1 back). Both ways, exactly:
 * - never more let through than the limits allow: MESSAGE_RATE per account and second, one order per DUPLICATIVE
 *   key and window, CREDIT_LIMIT per account and trading day, whatever restarts came between;
 * - never an order dropped by one of them unless what was let through before it (by the router's clock) says so: a
 *   restart that counted an order twice, or kept a spend of a failed write, would drop too much.
 * The clock-free checks and the kill switch are the decision-path model's.
 */
const RUNS = Number(process.env.RISKCTL_MODEL_RUNS ?? 12) * 10
const SEED = process.env.RISKCTL_MODEL_SEED === undefined ? 20261207 : Number(process.env.RISKCTL_MODEL_SEED)

const RATE = 4
const WINDOW_MS = 500
const CREDIT = 4_000
const T0 = Date.UTC(2026, 11, 7, 23, 59, 50)
const DAY_MS = 86_400_000

const LIMITS: LimitsTopology = {
  tradingDay: { timeZone: 'UTC', startHour: 0 },
  referencePriceMaxAgeMs: 3_600_000,
  duplicativeWindowMs: WINDOW_MS,
  defaults: { max_order_qty: 100, credit_limit: CREDIT, message_rate: RATE, collar_pct: 50, allow_without_reference: false },
}

type Step =
  | { readonly type: 'order'; readonly account: 'a' | 'b'; readonly qty: number; readonly price: number }
  | { readonly type: 'advance'; readonly ms: number }
  | { readonly type: 'restart' }

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 8, arbitrary: fc.record({ type: fc.constant('order' as const), account: fc.constantFrom('a' as const, 'b' as const), qty: fc.integer({ min: 1, max: 3 }), price: fc.constantFrom(100, 101) }) },
  { weight: 3, arbitrary: fc.record({ type: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 900 }) }) },
  { weight: 1, arbitrary: fc.constant({ type: 'restart' as const }) },
)

function run(steps: readonly Step[]): AuditRecord[] {
  const driver = new TopologyTestDriver({ startMs: T0, processors: ['router'], limits: LIMITS })
  const price = () => {
    for (const symbol of ['AAPL']) driver.pipe(REFERENCE_PRICES, { symbol, price: 100, ts: driver.now, source: 'model' })
  }
  price()
  let n = 0
  for (const s of steps) {
    if (s.type === 'advance') {
      driver.advance(s.ms)
      // Prices stay fresh: NO_REFERENCE_PRICE is not what this model is about.
      price()
    } else if (s.type === 'restart') {
      driver.restart('router')
    } else {
      n += 1
      driver.pipe(ORDERS, anOrder({ order_id: `o${n}`, account_id: s.account, symbol: 'AAPL', side: 'BUY', qty: s.qty, price: s.price, ts: T0 }))
    }
  }
  const audits = driver.values(AUDIT).filter((a: AuditRecord) => a.service === 'router')
  const orders = new Map(driver.values(ORDERS).map((o: Order) => [o.order_id, o]))
  expect(audits).toHaveLength(n)
  // What was let through before each decision, by the router's clock: the gated orders and their stamps.
  const let_: { order: Order; at: number }[] = []
  for (const audit of audits) {
    const order = orders.get(audit.order_id)!
    const at = audit.ts
    const sameSecond = let_.filter((l) => l.order.account_id === order.account_id && Math.floor(l.at / 1000) === Math.floor(at / 1000)).length
    const key = duplicativeKey(order)
    const recent = let_.some((l) => duplicativeKey(l.order) === key && at - l.at < WINDOW_MS)
    const dayStart = Math.floor(at / DAY_MS) * DAY_MS
    const used = let_.filter((l) => l.order.account_id === order.account_id && l.at >= dayStart).reduce((sum, l) => sum + l.order.qty * l.order.price, 0)
    const expected = recent ? 'DUPLICATIVE' : sameSecond >= RATE ? 'MESSAGE_RATE' : used + order.qty * order.price > CREDIT ? 'CREDIT_LIMIT' : null
    expect(`${audit.order_id}:${audit.check ?? 'ALLOW'}`, `after ${let_.length} let through`).toBe(`${audit.order_id}:${expected ?? 'ALLOW'}`)
    if (audit.decision === 'ALLOW') let_.push({ order, at })
  }
  // orders.gated.v1 holds exactly those, stamped with the decision's time.
  const gated = driver.records(ORDERS_GATED).map((r) => `${(JSON.parse(r.value!.toString()) as Order).order_id}@${r.timestamp}`)
  expect(gated).toEqual(let_.map((l) => `${l.order.order_id}@${l.at}`))
  return audits
}

describe('the spending checks against what was let through', () => {
  it(`hold exactly across restarts and a new trading day (seed ${SEED}, ${RUNS} runs)`, () => {
    fc.assert(
      fc.property(fc.array(stepArbitrary, { minLength: 5, maxLength: 120 }), (steps) => {
        run(steps)
      }),
      { seed: SEED, numRuns: RUNS },
    )
  })

  it('a restart in the middle of a second keeps its count: the fifth order of the second is dropped', () => {
    const steps: Step[] = [
      { type: 'order', account: 'a', qty: 1, price: 100 },
      { type: 'order', account: 'a', qty: 2, price: 100 },
      { type: 'restart' },
      { type: 'order', account: 'a', qty: 3, price: 100 },
      { type: 'order', account: 'a', qty: 1, price: 101 },
      { type: 'restart' },
      { type: 'order', account: 'a', qty: 2, price: 101 },
    ]
    expect(run(steps).map((a) => a.check ?? 'ALLOW')).toEqual(['ALLOW', 'ALLOW', 'ALLOW', 'ALLOW', 'MESSAGE_RATE'])
  })
})

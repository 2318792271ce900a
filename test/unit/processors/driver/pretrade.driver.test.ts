import { describe, expect, it } from 'vitest'
import type { LimitsTopology } from '../../../../src/config/limits-topology.js'
import type { LimitsRecord } from '../../../../src/domain/pretrade/limits-command.js'
import { AUDIT, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_LIMITS, RISK_SIGNALS } from '../../../../topologies/topics.js'
import { isCreditWarning } from '../../../../src/domain/risk-signal.js'
import { anOrder } from '../../../helpers/fixtures.js'
import { TopologyTestDriver } from '../../../helpers/topology-test-driver.js'
import { aCommand } from './commands.js'

// 15:00 in New York, two hours before the trading day ends at 17:00.
const T0 = Date.UTC(2026, 11, 4, 20, 0, 0)

const LIMITS: LimitsTopology = {
  tradingDay: { timeZone: 'America/New_York', startHour: 17 },
  referencePriceMaxAgeMs: 60_000,
  duplicativeWindowMs: 1000,
  defaults: {
    max_order_qty: 1000,
    max_order_notional: 100_000,
    credit_limit: 200_000,
    collar_pct: 5,
    collar_abs: 0.05,
    message_rate: 50,
    allow_without_reference: false,
    restricted_symbols: ['GME'],
  },
}

function gateway(processors: ('router' | 'aggregator')[] = ['router']): TopologyTestDriver {
  return new TopologyTestDriver({ startMs: T0, processors, limits: LIMITS })
}

function price(driver: TopologyTestDriver, symbol: string, value: number): void {
  driver.pipe(REFERENCE_PRICES, { symbol, price: value, ts: driver.now, source: 'test' })
}

function limits(scope: string, set: LimitsRecord['limits'], extra: Partial<LimitsRecord> = {}): LimitsRecord {
  return { scope, limits: set, updated_ts: T0, updated_by: 'ops', reason: 'test', last_cmd_id: `c-${scope}`, corr_id: `k-${scope}`, ...extra }
}

/** order_id:decision:check of each router audit, in order. */
function checks(driver: TopologyTestDriver): string[] {
  return driver
    .values(AUDIT)
    .filter((a) => a.service === 'router')
    .map((a) => `${a.order_id}:${a.decision}:${a.check ?? '-'}`)
}

let seq = 0
function order(overrides: Parameters<typeof anOrder>[0] = {}) {
  seq += 1
  return anOrder({ order_id: `o${seq}`, account_id: 'a1', symbol: 'AAPL', qty: 10, price: 190, ...overrides })
}

describe('the pre-trade checks, driven record by record', () => {
  it('drops an order whose symbol has no fresh reference price, and lets it through once one is published', () => {
    const driver = gateway()
    driver.pipe(ORDERS, order({ order_id: 'before' }))
    price(driver, 'AAPL', 190)
    driver.pipe(ORDERS, order({ order_id: 'after' }))
    driver.advance(61_000)
    driver.pipe(ORDERS, order({ order_id: 'stale' }))
    expect(checks(driver)).toEqual(['before:DROP:NO_REFERENCE_PRICE', 'after:ALLOW:-', 'stale:DROP:NO_REFERENCE_PRICE'])
    // The allowed audit says so in its own field: null, not absent.
    const raw = driver.records(AUDIT).find((r) => r.key === 'after')!.value!.toString()
    expect(raw).toContain('"check":null,"order_offset":"0:1","service":"router"}')
  })

  it('drops a price outside the collar, a fat finger, a restricted symbol, each with its own code', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    price(driver, 'GME', 20)
    driver.pipe(ORDERS, order({ order_id: 'collar', price: 200 }))
    driver.pipe(ORDERS, order({ order_id: 'qty', qty: 1001 }))
    driver.pipe(ORDERS, order({ order_id: 'notional', qty: 600 }))
    driver.pipe(ORDERS, order({ order_id: 'restricted', symbol: 'gme', price: 20 }))
    driver.pipe(ORDERS, order({ order_id: 'ok', price: 199.4 }))
    expect(checks(driver)).toEqual([
      'collar:DROP:PRICE_COLLAR',
      'qty:DROP:MAX_ORDER_QTY',
      'notional:DROP:MAX_ORDER_NOTIONAL',
      'restricted:DROP:RESTRICTED_SYMBOL',
      'ok:ALLOW:-',
    ])
    expect(driver.records(ORDERS_GATED)).toHaveLength(1)
  })

  it('keeps the kill switch first: a killed account is KILL_SWITCH even when a check would also fail', () => {
    const driver = gateway(['router', 'aggregator'])
    driver.send(aCommand('ACCOUNT:a1', 'KILL'))
    driver.pipe(ORDERS, order({ order_id: 'k' }))
    expect(checks(driver)).toEqual(['k:DROP:KILL_SWITCH'])
  })

  it('enforces a limits record from the moment it is read, and the defaults again after its tombstone', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    driver.pipe(RISK_LIMITS, limits('ACCOUNT:a1', { max_order_qty: 5 }))
    driver.pipe(ORDERS, order({ order_id: 'small-cap' }))
    driver.pipe(ORDERS, order({ order_id: 'other', account_id: 'a2' }))
    driver.pipeRaw(RISK_LIMITS, 'ACCOUNT:a1', null)
    driver.pipe(ORDERS, order({ order_id: 'defaults' }))
    expect(checks(driver)).toEqual(['small-cap:DROP:MAX_ORDER_QTY', 'other:ALLOW:-', 'defaults:ALLOW:-'])
  })

  it('drops every order of a scope whose limits record cannot be read, until a readable one replaces it', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    driver.pipeRaw(RISK_LIMITS, 'ACCOUNT:a1', '{"scope":"ACCOUNT:a1","limits":{"max_order_qty":"lots"}')
    driver.pipe(ORDERS, order({ order_id: 'unknown' }))
    driver.pipe(ORDERS, order({ order_id: 'unaffected', account_id: 'a2' }))
    // Another scope's limits filed under a1's key: a1's own are gone.
    driver.pipe(RISK_LIMITS, limits('ACCOUNT:a1', { max_order_qty: 500 }))
    driver.pipeRaw(RISK_LIMITS, 'ACCOUNT:a1', JSON.stringify(limits('ACCOUNT:a2', { max_order_qty: 500 })))
    driver.pipe(ORDERS, order({ order_id: 'misfiled' }))
    driver.pipe(RISK_LIMITS, limits('ACCOUNT:a1', { max_order_qty: 500 }))
    driver.pipe(ORDERS, order({ order_id: 'repaired' }))
    // The firm's record unreadable: every account's limits are unknown.
    driver.pipeRaw(RISK_LIMITS, 'GLOBAL', 'not json')
    driver.pipe(ORDERS, order({ order_id: 'firm', account_id: 'a3' }))
    expect(checks(driver)).toEqual([
      'unknown:DROP:LIMITS_UNKNOWN',
      'unaffected:ALLOW:-',
      'misfiled:DROP:LIMITS_UNKNOWN',
      'repaired:ALLOW:-',
      'firm:DROP:LIMITS_UNKNOWN',
    ])
  })

  it('enforces the limits a temporary raise replaced from its expiry on, with no revert written', () => {
    const driver = gateway()
    price(driver, 'AAPL', 50)
    driver.pipe(
      RISK_LIMITS,
      limits('ACCOUNT:a1', { max_order_qty: 2000 }, { expires_ts: T0 + 60_000, reverts_to: {}, temporary_cmd_id: 'c-raise' }),
    )
    driver.pipe(ORDERS, order({ order_id: 'raised', qty: 1500, price: 50 }))
    driver.advance(60_000)
    price(driver, 'AAPL', 50)
    driver.pipe(ORDERS, order({ order_id: 'reverted', qty: 1500, price: 50 }))
    expect(checks(driver)).toEqual(['raised:ALLOW:-', 'reverted:DROP:MAX_ORDER_QTY'])
  })

  it('counts credit per trading day, across a restart, and opens a fresh line when the day turns', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    // 55 × 190 = 10,450 a time: nineteen of them are 198,550 of the 200,000.
    for (let i = 0; i < 19; i += 1) {
      driver.advance(1100)
      driver.pipe(ORDERS, order({ order_id: `c${i}`, qty: 55 }))
    }
    driver.restart('router')
    // Past the duplicative window of the last one: `over` is the same order, and a restart keeps that window.
    driver.advance(1100)
    price(driver, 'AAPL', 190)
    driver.pipe(ORDERS, order({ order_id: 'over', qty: 55 }))
    driver.pipe(ORDERS, order({ order_id: 'fits', qty: 5 }))
    // 17:00 New York: a new trading day, a fresh credit line.
    driver.advanceTo(Date.UTC(2026, 11, 4, 22, 0, 0))
    price(driver, 'AAPL', 190)
    driver.pipe(ORDERS, order({ order_id: 'next-day', qty: 55 }))
    const tail = checks(driver).slice(-3)
    expect(checks(driver).slice(0, 19).every((c) => c.endsWith('ALLOW:-'))).toBe(true)
    expect(tail).toEqual(['over:DROP:CREDIT_LIMIT', 'fits:ALLOW:-', 'next-day:ALLOW:-'])
  })

  it('signals the credit ladder at 50, 75 and 90% on risk_signals.v1 once per step and day, not again after a restart', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    const warnings = () =>
      driver.values(RISK_SIGNALS).flatMap((signal) => (isCreditWarning(signal) ? [signal] : []))
    // 55 × 190 = 10,450 a time against a line of 200,000: 50% after the tenth, 75% after the fifteenth, 90% after the 18th.
    for (let i = 0; i < 12; i += 1) {
      driver.advance(1100)
      driver.pipe(ORDERS, order({ order_id: `w${i}`, qty: 55 }))
    }
    driver.restart('router')
    price(driver, 'AAPL', 190)
    for (let i = 12; i < 19; i += 1) {
      driver.advance(1100)
      driver.pipe(ORDERS, order({ order_id: `w${i}`, qty: 55 }))
    }
    driver.pipe(ORDERS, order({ order_id: 'over', qty: 55 }))
    expect(warnings().map((w) => [w.percent, w.used_notional, w.credit_limit, w.account_id])).toEqual([
      [50, 104_500, 200_000, 'a1'],
      [75, 156_750, 200_000, 'a1'],
      [90, 188_100, 200_000, 'a1'],
    ])
    // Each is written with the decision of the order that crossed the step, keyed by account like the detector's.
    const signalRecords = driver.records(RISK_SIGNALS)
    expect(signalRecords.map((r) => r.key)).toEqual(['a1', 'a1', 'a1'])
    expect(new Set(warnings().map((w) => w.day_start)).size).toBe(1)
    // A new trading day starts the ladder again.
    driver.advanceTo(Date.UTC(2026, 11, 4, 22, 0, 0))
    price(driver, 'AAPL', 190)
    for (let i = 0; i < 10; i += 1) driver.pipe(ORDERS, order({ order_id: `d2-${i}`, qty: 55, price: 190 + i / 100 }))
    expect(warnings().map((w) => w.percent)).toEqual([50, 75, 90, 50])
    expect(warnings()[3]!.day_start).toBeGreaterThan(warnings()[2]!.day_start)
  })

  it('never signals credit for an account without a line, nor for orders it drops', () => {
    const driver = new TopologyTestDriver({
      startMs: T0,
      processors: ['router'],
      limits: { ...LIMITS, defaults: { ...LIMITS.defaults, credit_limit: undefined } },
    })
    price(driver, 'AAPL', 190)
    for (let i = 0; i < 30; i += 1) driver.pipe(ORDERS, order({ order_id: `n${i}`, qty: 500, price: 190 + i / 100 }))
    expect(checks(driver).filter((c) => c.endsWith('ALLOW:-')).length).toBeGreaterThan(0)
    expect(driver.records(RISK_SIGNALS)).toEqual([])
  })

  it('a restart keeps the duplicative window and the message budget of the moment: the restarted router reads them back', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    driver.advance(100)
    driver.pipe(ORDERS, order({ order_id: 'first' }))
    for (let i = 0; i < 29; i += 1) driver.pipe(ORDERS, order({ order_id: `m${i}`, qty: 1, price: 190 + (i + 1) / 100 }))
    driver.restart('router')
    price(driver, 'AAPL', 190)
    // The same order under a new id, in the same second and the same window: as if no restart had come between.
    driver.pipe(ORDERS, order({ order_id: 'again' }))
    for (let i = 0; i < 25; i += 1) driver.pipe(ORDERS, order({ order_id: `n${i}`, qty: 2, price: 190 + (i + 1) / 100 }))
    expect(checks(driver).filter((c) => c.startsWith('again'))).toEqual(['again:DROP:DUPLICATIVE'])
    // Thirty before the restart, twenty after it make the cap of fifty in this second.
    const after = checks(driver).filter((c) => c.startsWith('n'))
    expect(after.filter((c) => c.endsWith('ALLOW:-'))).toHaveLength(20)
    expect(after.slice(20).every((c) => c.endsWith('DROP:MESSAGE_RATE'))).toBe(true)
    // Past the window and into the next second, both are spent afresh.
    driver.advance(1000)
    driver.pipe(ORDERS, order({ order_id: 'later' }))
    expect(checks(driver).at(-1)).toBe('later:ALLOW:-')
  })

  it('drops the same order sent again under a new id within the window, and over the message rate', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    driver.pipe(ORDERS, order({ order_id: 'first' }))
    driver.pipe(ORDERS, order({ order_id: 'again' }))
    driver.advance(1000)
    driver.pipe(ORDERS, order({ order_id: 'later' }))
    for (let i = 0; i < 50; i += 1) driver.pipe(ORDERS, order({ order_id: `r${i}`, qty: 1, price: 190 + i / 100 }))
    expect(checks(driver).slice(0, 3)).toEqual(['first:ALLOW:-', 'again:DROP:DUPLICATIVE', 'later:ALLOW:-'])
    // `later` and forty-nine more make the cap of fifty in this second: the next is one over.
    expect(checks(driver).slice(3).filter((c) => c.endsWith('MESSAGE_RATE'))).toEqual(['r49:DROP:MESSAGE_RATE'])
  })

  it('forgets the price a record under the symbol could not give: no judging against a withdrawn price', () => {
    const driver = gateway()
    price(driver, 'AAPL', 190)
    driver.pipeRaw(REFERENCE_PRICES, 'AAPL', '{"symbol":"AAPL","price":-1}')
    driver.pipe(ORDERS, order({ order_id: 'withdrawn' }))
    price(driver, 'MSFT', 380)
    driver.pipeRaw(REFERENCE_PRICES, 'MSFT', JSON.stringify({ symbol: 'TSLA', price: 240, ts: T0, source: 'x' }))
    driver.pipe(ORDERS, order({ order_id: 'misfiled', symbol: 'MSFT', price: 380 }))
    expect(checks(driver)).toEqual(['withdrawn:DROP:NO_REFERENCE_PRICE', 'misfiled:DROP:NO_REFERENCE_PRICE'])
  })
})

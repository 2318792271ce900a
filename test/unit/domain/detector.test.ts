import { describe, expect, expectTypeOf, it } from 'vitest'
import type { KillCommand } from '../../../src/domain/kill-command.js'
import type { DetectorSettings } from '../../../src/domain/detector-settings.js'
import {
  killCommandFromRequest,
  RiskDetector,
  type DetectorOrder,
  type KillRequest,
} from '../../../src/domain/detector.js'

const SETTINGS: DetectorSettings = {
  windowMs: 60_000,
  slideMs: 1_000,
  allowedLatenessMs: 5_000,
  thresholds: { orderCount: 100, notional: 1_000_000, topSymbolShare: 0.7 },
  concentrationMinOrders: 20,
  symbolRule: { orderCount: 300 },
  signalIntervalMs: 1_000,
  idleEvictMs: 120_000,
}
const NOON = Date.UTC(2024, 2, 9, 12, 0, 0)
const SYMBOLS = ['AAPL', 'MSFT', 'GOOG', 'AMZN', 'NVDA', 'META', 'TSLA', 'JPM', 'XOM', 'KO']

function order(ts: number, overrides: Partial<DetectorOrder> = {}): DetectorOrder {
  return { ts, account_id: '12345', symbol: 'AAPL', qty: 10, price: 100, ...overrides }
}

/** Runs orders through the detector, each observed at its own timestamp; collects every output. */
function run(detector: RiskDetector, orders: readonly DetectorOrder[]) {
  const kills: KillRequest[] = []
  const signals = []
  let late = 0
  for (const o of orders) {
    const out = detector.observe(o, o.ts)
    kills.push(...out.kills)
    signals.push(...out.signals)
    if (out.late) late++
  }
  return { kills, signals, late }
}

/** n orders from one account, spread over symbols so only the order-rate rule can trip, every stepMs. */
function burst(n: number, start: number, stepMs: number, accountId = '12345'): DetectorOrder[] {
  return Array.from({ length: n }, (_, i) =>
    order(start + i * stepMs, { account_id: accountId, symbol: SYMBOLS[i % SYMBOLS.length] ?? 'AAPL' }),
  )
}

describe('RiskDetector: order rate and episodes', () => {
  it('asks to kill the account on the 101st order in 60 s, naming the rule and the count', () => {
    const detector = new RiskDetector(SETTINGS)
    const first = run(detector, burst(100, NOON, 20))
    expect(first.kills).toEqual([])
    const { kills } = run(detector, burst(1, NOON + 2_000, 0))
    expect(kills).toEqual([
      {
        scope: 'ACCOUNT:12345',
        reason: 'Order rate breach: 101 orders in 60s',
        metric: 'order_rate_60s',
        value: 101,
        ts: NOON + 2_000,
      },
    ])
    expect(detector.inEpisode('ACCOUNT:12345')).toBe(true)
  })

  it('asks for ONE kill per episode however many orders keep breaching', () => {
    const detector = new RiskDetector(SETTINGS)
    const { kills } = run(detector, burst(500, NOON, 20))
    expect(kills.filter((kill) => kill.scope === 'ACCOUNT:12345')).toHaveLength(1)
    expect(kills).toHaveLength(1)
  })

  it('catches a burst straddling a minute boundary', () => {
    const detector = new RiskDetector(SETTINGS)
    const orders = [...burst(60, NOON + 59_500, 0), ...burst(60, NOON + 60_500, 0)]
    const { kills } = run(detector, orders)
    expect(kills).toHaveLength(1)
    expect(kills[0]?.value).toBe(101)
  })

  it('asks again after the account cooled down as time moved on', () => {
    const detector = new RiskDetector(SETTINGS)
    expect(run(detector, burst(150, NOON, 20)).kills).toHaveLength(1)
    const cooled = detector.tick(NOON + 70_000)
    expect(detector.inEpisode('ACCOUNT:12345')).toBe(false)
    // The signal that reports the cool-down is sent whatever the pacing.
    expect(cooled.signals.map((signal) => signal.order_count)).toEqual([0])
    const again = run(detector, burst(101, NOON + 71_000, 20))
    expect(again.kills).toHaveLength(1)
    expect(again.kills[0]?.reason).toBe('Order rate breach: 101 orders in 60s')
  })

  it('does not end the episode while the window is merely shrinking above the threshold', () => {
    const detector = new RiskDetector(SETTINGS)
    run(detector, burst(200, NOON, 100)) // 20 s of orders
    detector.tick(NOON + 50_000)
    expect(detector.inEpisode('ACCOUNT:12345')).toBe(true)
    expect(run(detector, burst(5, NOON + 50_000, 10)).kills).toEqual([])
  })

  it('asks again after an operator unkill, judging only post-unkill orders', () => {
    const detector = new RiskDetector(SETTINGS)
    expect(run(detector, burst(150, NOON, 20)).kills).toHaveLength(1)
    const unkillAt = NOON + 2_990
    expect(detector.scopeUnkilled('ACCOUNT:12345', unkillAt)).toBe(true)
    expect(detector.inEpisode('ACCOUNT:12345')).toBe(false)

    // Stamped before the unkill: part of the runaway that was already dealt with.
    expect(run(detector, burst(1, unkillAt - 500, 0)).late).toBe(1)
    // Without the reset the first of these would be order 151 and a kill at once.
    const hundred = run(detector, burst(100, unkillAt, 10))
    expect(hundred.kills).toEqual([])
    // The first post-unkill order is reported at once, from a window of one.
    expect(hundred.signals[0]?.order_count).toBe(1)
    const next = run(detector, burst(1, unkillAt + 1_000, 0))
    expect(next.kills).toHaveLength(1)
    expect(next.kills[0]?.value).toBe(101)
  })

  it('still counts a pre-unkill order towards its symbol', () => {
    const detector = new RiskDetector(SETTINGS)
    const aapl = (n: number, start: number, account: string) =>
      Array.from({ length: n }, (_, i) => order(start + i, { account_id: `${account}${i % 25}` }))
    run(detector, aapl(300, NOON, 'a'))
    run(detector, [order(NOON + 100, { account_id: 'x', symbol: 'MSFT' })])
    detector.scopeUnkilled('ACCOUNT:X', NOON + 500)
    const out = detector.observe(order(NOON + 400, { account_id: 'x' }), NOON + 500)
    expect(out.late).toBe(true)
    expect(out.kills.map((kill) => kill.scope)).toEqual(['SYMBOL:AAPL'])
  })

  it('accepts the unkilled scope in any case and reports scopes it does not track', () => {
    const detector = new RiskDetector(SETTINGS)
    run(detector, burst(1, NOON, 0))
    expect(detector.scopeUnkilled('account:12345', NOON)).toBe(true)
    expect(detector.scopeUnkilled('ACCOUNT:999', NOON)).toBe(false)
    expect(detector.scopeUnkilled('GLOBAL', NOON)).toBe(false)
  })
})

describe('RiskDetector: notional and concentration', () => {
  it('kills on notional over the threshold', () => {
    const detector = new RiskDetector(SETTINGS)
    const big = (ts: number, symbol: string) => order(ts, { qty: 1_000, price: 300, symbol })
    const { kills } = run(detector, [big(NOON, 'AAPL'), big(NOON + 1, 'MSFT'), big(NOON + 2, 'GOOG')])
    expect(kills).toHaveLength(0)
    const { kills: fourth } = run(detector, [big(NOON + 3, 'AMZN')])
    expect(fourth).toHaveLength(1)
    expect(fourth[0]).toMatchObject({ scope: 'ACCOUNT:12345', metric: 'notional_60s', value: 1_200_000 })
    expect(fourth[0]?.reason).toMatch(/^Notional breach: 1200000\.00 in 60s/)
  })

  it('does not call one order 100% concentration', () => {
    const detector = new RiskDetector(SETTINGS)
    const { kills, signals } = run(detector, [order(NOON)])
    expect(signals[0]?.top_symbol_share).toBe(1)
    expect(kills).toEqual([])
    expect(detector.inEpisode('ACCOUNT:12345')).toBe(false)
  })

  it('judges concentration once the sample reaches the minimum', () => {
    const detector = new RiskDetector(SETTINGS)
    const same = Array.from({ length: 20 }, (_, i) => order(NOON + i * 10))
    const nineteen = run(detector, same.slice(0, 19))
    expect(nineteen.kills).toEqual([])
    const twentieth = run(detector, same.slice(19))
    expect(twentieth.kills).toEqual([
      {
        scope: 'ACCOUNT:12345',
        reason: 'Concentration breach: 100% of 20 orders in AAPL in 60s',
        metric: 'top_symbol_share',
        value: 1,
        ts: NOON + 190,
      },
    ])
  })

  it('does not kill a diversified account with many orders', () => {
    const detector = new RiskDetector(SETTINGS)
    expect(run(detector, burst(100, NOON, 10)).kills).toEqual([])
  })
})

describe('RiskDetector: symbol rule', () => {
  it('kills a symbol traded too often across accounts none of which breaches alone', () => {
    const detector = new RiskDetector(SETTINGS)
    // 25 accounts x 13 orders of AAPL: each account is under the concentration sample minimum.
    const orders: DetectorOrder[] = []
    for (let round = 0; round < 13; round++) {
      for (let account = 0; account < 25; account++) {
        orders.push(order(NOON + orders.length * 10, { account_id: `A${account}` }))
      }
    }
    const first300 = run(detector, orders.slice(0, 300))
    expect(first300.kills).toEqual([])
    const rest = run(detector, orders.slice(300))
    expect(rest.kills).toHaveLength(1)
    expect(rest.kills[0]).toMatchObject({ scope: 'SYMBOL:AAPL', metric: 'symbol_order_rate_60s', value: 301 })
    expect(detector.inEpisode('SYMBOL:AAPL')).toBe(true)
  })

  it('opens a new symbol episode after an unkill of the symbol', () => {
    const detector = new RiskDetector(SETTINGS)
    const many = (n: number, start: number) =>
      Array.from({ length: n }, (_, i) => order(start + i, { account_id: `A${i % 50}` }))
    expect(run(detector, many(320, NOON)).kills.map((kill) => kill.scope)).toEqual(['SYMBOL:AAPL'])
    detector.scopeUnkilled('SYMBOL:AAPL', NOON + 1_000)
    expect(run(detector, many(300, NOON + 1_000)).kills.filter((k) => k.scope === 'SYMBOL:AAPL')).toEqual([])
    expect(run(detector, many(1, NOON + 1_400)).kills.map((kill) => kill.scope)).toEqual(['SYMBOL:AAPL'])
  })
})

describe('RiskDetector: signals', () => {
  it('signals at most once per account per interval', () => {
    const detector = new RiskDetector(SETTINGS)
    const inOneSecond = run(detector, burst(10, NOON, 50))
    expect(inOneSecond.signals).toHaveLength(1)
    const nextSecond = run(detector, burst(1, NOON + 1_000, 0))
    expect(nextSecond.signals).toHaveLength(1)
    expect(nextSecond.signals[0]).toMatchObject({ account_id: '12345', order_count: 11, ts: NOON + 1_000 })
  })

  it('paces each account separately', () => {
    const detector = new RiskDetector(SETTINGS)
    const { signals } = run(detector, [order(NOON), order(NOON + 1, { account_id: 'B' }), order(NOON + 2)])
    expect(signals.map((signal) => signal.account_id)).toEqual(['12345', 'B'])
  })

  it('always signals a breach transition, even inside the interval', () => {
    const detector = new RiskDetector({ ...SETTINGS, thresholds: { ...SETTINGS.thresholds, orderCount: 5 } })
    const { signals } = run(detector, burst(8, NOON, 10))
    // The first order, then the sixth (the breach), nothing else within the second.
    expect(signals.map((signal) => signal.order_count)).toEqual([1, 6])
  })

  it('fills the signal from the window', () => {
    const detector = new RiskDetector(SETTINGS)
    const out = detector.observe(order(NOON + 500, { qty: 2, price: 50 }), NOON + 700)
    expect(out.signals).toEqual([
      {
        ts: NOON + 700,
        account_id: '12345',
        window_start: NOON + 1_000 - 60_000,
        window_end: NOON + 1_000,
        order_count: 1,
        total_notional: 100,
        avg_notional: 100,
        unique_symbols: 1,
        top_symbol: 'AAPL',
        top_symbol_share: 1,
      },
    ])
  })
})

describe('RiskDetector: event time', () => {
  it('ignores orders later than the allowed lateness', () => {
    const detector = new RiskDetector(SETTINGS)
    run(detector, [order(NOON + 10_000, { account_id: 'B' })])
    const out = detector.observe(order(NOON + 4_000), NOON + 10_000)
    expect(out.late).toBe(true)
    expect(out.signals).toEqual([])
    expect(detector.lateCount).toBe(1)
    expect(detector.observe(order(NOON + 6_000), NOON + 10_000).late).toBe(false)
  })

  it('is not blinded by one order stamped far in the future', () => {
    const detector = new RiskDetector(SETTINGS)
    detector.observe(order(NOON + 365 * 24 * 3_600_000, { account_id: 'B' }), NOON)
    expect(detector.watermark).toBe(NOON + SETTINGS.allowedLatenessMs)
    const { kills, late } = run(detector, burst(101, NOON + 100, 10))
    expect(late).toBe(0)
    expect(kills).toHaveLength(1)
  })

  it('evicts accounts and symbols idle for idleEvictMs', () => {
    const detector = new RiskDetector(SETTINGS)
    run(detector, [order(NOON), order(NOON + 60_000, { account_id: 'B', symbol: 'MSFT' })])
    expect(detector.trackedAccounts).toBe(2)
    expect(detector.trackedSymbols).toBe(2)
    detector.tick(NOON + 119_999)
    expect(detector.trackedAccounts).toBe(2)
    detector.tick(NOON + 120_000)
    expect(detector.trackedAccounts).toBe(1)
    expect(detector.trackedSymbols).toBe(1)
    detector.tick(NOON + 180_000)
    expect(detector.trackedAccounts).toBe(0)
    expect(detector.trackedSymbols).toBe(0)
  })

  it('returns nothing from a tick when no breach changed', () => {
    const detector = new RiskDetector(SETTINGS)
    run(detector, burst(3, NOON, 10))
    const out = detector.tick(NOON + 1_000)
    expect(out.signals).toEqual([])
    expect(out.kills).toEqual([])
  })
})

describe('the detector cannot unkill', () => {
  it('has no way to say anything but KILL', () => {
    expectTypeOf<KillRequest>().not.toHaveProperty('action')
    const request: KillRequest = {
      scope: 'ACCOUNT:12345',
      reason: 'Order rate breach: 101 orders in 60s',
      metric: 'order_rate_60s',
      value: 101,
      ts: NOON,
      // @ts-expect-error a KillRequest cannot carry an action
      action: 'UNKILL',
    }
    const command: KillCommand = killCommandFromRequest(request, { cmdId: 'cmd-1', corrId: 'corr-1' })
    expect(command).toEqual({
      cmd_id: 'cmd-1',
      ts: NOON,
      scope: 'ACCOUNT:12345',
      action: 'KILL',
      reason: 'Order rate breach: 101 orders in 60s',
      triggered_by: 'detector',
      metric: 'order_rate_60s',
      value: 101,
      corr_id: 'corr-1',
    })
  })

  it('emits only kill requests, which carry no action', () => {
    const detector = new RiskDetector(SETTINGS)
    const { kills } = run(detector, burst(150, NOON, 20))
    for (const kill of kills)
      expect(Object.keys(kill).sort()).toEqual(['metric', 'reason', 'scope', 'ts', 'value'])
  })
})

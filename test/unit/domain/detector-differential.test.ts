import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import type { DetectorSettings } from '../../../src/domain/detector-settings.js'
import { RiskDetector, type DetectorOrder, type DetectorOutput } from '../../../src/domain/detector.js'
import { ReferenceDetector } from '../../helpers/reference-detector.js'

/**
 * The detector against the straightforward one it replaced (test/helpers/reference-detector.ts), on random
 * streams: many accounts and symbols, orders out of order and too late, ticks, unkills in every spelling, idle
 * gaps longer than idleEvictMs, notionals near the threshold and past the cap. After every step both must have
 * said exactly the same: the same kills and signals, field for field and in the same order, the same late verdict,
 * the same episodes, watermark and counts. `RISKCTL_DETECTOR_DIFF_RUNS` runs more (and
 * `RISKCTL_DETECTOR_DIFF_SEED` replays a seed).
 */
const RUNS = Number(process.env.RISKCTL_DETECTOR_DIFF_RUNS ?? 300)
const SEED =
  process.env.RISKCTL_DETECTOR_DIFF_SEED === undefined
    ? 20_261_204
    : Number(process.env.RISKCTL_DETECTOR_DIFF_SEED)
const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)

/** Tickers whose counts tie often and whose alphabetical order is not their order of arrival. */
const TICKERS = [
  'MSFT',
  'AAPL',
  'A',
  'AA',
  'BRK.B',
  'BRK.A',
  'X10',
  'X9',
  'X100',
  'Z',
  'AB',
  'B',
  'TSLA',
  'NVDA',
]
/** Not canonical, but the domain takes what it is given: compared as strings like any other. */
const ODD_SYMBOLS = ['aapl', 'BRK-B', 'Ä', 'A'.repeat(12), '']

const settingsArb: fc.Arbitrary<DetectorSettings> = fc
  .record({
    slideMs: fc.constantFrom(1, 10, 250, 1_000),
    buckets: fc.integer({ min: 1, max: 8 }),
    lateness: fc.constantFrom(0, 0.5, 1, 3, 7.5, 12),
    orderCount: fc.integer({ min: 1, max: 30 }),
    notional: fc.constantFrom(1_000, 25_000.5, 1_000_000, 5e14),
    share: fc.constantFrom(0.3, 0.5, 0.7, 0.75, 1),
    minOrders: fc.integer({ min: 1, max: 12 }),
    symbolCount: fc.integer({ min: 1, max: 40 }),
    signalIntervalMs: fc.constantFrom(0, 1, 400, 1_000, 5_000),
    idleEvict: fc.constantFrom(0.5, 1, 2, 4),
  })
  .map((s) => {
    const windowMs = s.slideMs * s.buckets
    return {
      windowMs,
      slideMs: s.slideMs,
      allowedLatenessMs: Math.round(s.slideMs * s.lateness),
      thresholds: { orderCount: s.orderCount, notional: s.notional, topSymbolShare: s.share },
      concentrationMinOrders: s.minOrders,
      symbolRule: { orderCount: s.symbolCount },
      signalIntervalMs: s.signalIntervalMs,
      idleEvictMs: Math.round(windowMs * s.idleEvict),
    }
  })

interface Universe {
  readonly accounts: readonly string[]
  readonly symbols: readonly string[]
}

type Step =
  | {
      kind: 'order'
      account: number
      symbol: number
      qty: number
      price: number
      advance: number
      skew: number
      now: number
    }
  | { kind: 'tick'; advance: number; now: number }
  | { kind: 'unkill'; scope: number; spelling: number; now: number }
  | { kind: 'ask'; scope: number; spelling: number }

/** Steps of event time, in slides: mostly small, sometimes a gap past the window or past idleEvictMs. */
const advanceArb = fc.oneof(
  { weight: 12, arbitrary: fc.constantFrom(0, 0, 0.1, 0.3, 1) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 3, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(5, 9, 20, 40) },
)
/** How far an order's time is from the clock, in slides: late within or past the bound, or far ahead. */
const skewArb = fc.oneof(
  { weight: 10, arbitrary: fc.constant(0) },
  { weight: 4, arbitrary: fc.double({ min: -14, max: 0, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0.5, 2, 1e6) },
)
const nowArb = fc.oneof(
  { weight: 8, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.constantFrom(-3, -0.5, 0.5, 2, 30) },
)
const priceArb = fc.oneof(
  fc.constantFrom(0.01, 0.1, 0.3, 1, 99.99, 189.5, 1_000, 3e14, 1e300),
  fc.double({ min: 0.01, max: 20_000, noNaN: true }),
)

const stepArb = (universe: Universe): fc.Arbitrary<Step> =>
  fc.oneof(
    {
      weight: 20,
      arbitrary: fc.record({
        kind: fc.constant('order' as const),
        // Skewed towards a few busy accounts and symbols, so windows fill and rules trip.
        account: fc.oneof(fc.integer({ min: 0, max: 2 }), fc.nat(universe.accounts.length - 1)),
        symbol: fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat(universe.symbols.length - 1)),
        qty: fc.oneof(fc.integer({ min: 1, max: 20 }), fc.constantFrom(1_000, 1e6)),
        price: priceArb,
        advance: advanceArb,
        skew: skewArb,
        now: nowArb,
      }),
    },
    {
      weight: 2,
      arbitrary: fc.record({ kind: fc.constant('tick' as const), advance: advanceArb, now: nowArb }),
    },
    {
      weight: 1,
      arbitrary: fc.record({
        kind: fc.constant('unkill' as const),
        scope: fc.nat(),
        spelling: fc.nat(),
        now: nowArb,
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('ask' as const), scope: fc.nat(), spelling: fc.nat() }),
    },
  )

const universeArb: fc.Arbitrary<Universe> = fc
  .record({
    accounts: fc.integer({ min: 1, max: 60 }),
    symbols: fc.integer({ min: 1, max: 40 }),
    odd: fc.boolean(),
  })
  .map(({ accounts, symbols, odd }) => ({
    accounts: Array.from({ length: accounts }, (_, i) => (i === 1 ? '12345' : `acct-${i}`)),
    symbols: [
      ...TICKERS.slice(0, symbols),
      ...Array.from({ length: Math.max(0, symbols - TICKERS.length) }, (_, i) => `S${i}`),
      ...(odd ? ODD_SYMBOLS : []),
    ],
  }))

/** The scopes an operator might name: tracked or not, in canonical and other spellings, and ones no detector has. */
function scopeText(universe: Universe, scope: number, spelling: number): string {
  const pick = <T>(list: readonly T[]) => list[scope % list.length]!
  switch (spelling % 7) {
    case 0:
      return `ACCOUNT:${pick(universe.accounts)}`
    case 1:
      return `account:  ${pick(universe.accounts).toUpperCase()}`
    case 2:
      return `SYMBOL:${pick(universe.symbols)}`
    case 3:
      return ` symbol:${pick(universe.symbols).toLowerCase()}`
    case 4:
      return pick(['GLOBAL', 'STRATEGY:momentum', 'nonsense', 'ACCOUNT:', 'SYMBOL:1ABC'])
    case 5:
      return `ACCOUNT:untracked-${scope % 3}`
    default:
      return `SYMBOL:NEW${scope % 3}`
  }
}

/** What the streams made happen, so that a test that stopped reaching a path fails instead of passing idly. */
const seen = new Map<string, number>()
const note = (what: string, times = 1) => seen.set(what, (seen.get(what) ?? 0) + times)

function noteOutput(output: DetectorOutput, where: string): void {
  for (const kill of output.kills) note(`${where} kill ${kill.metric}`)
  if (output.signals.length > 0) note(`${where} signal`)
}

/** Runs the steps through both detectors; fails at the first step where they say anything different. */
function compare(settings: DetectorSettings, universe: Universe, steps: readonly Step[]): void {
  const detector = new RiskDetector(settings)
  const reference = new ReferenceDetector(settings)
  let clock = T0
  steps.forEach((step, index) => {
    const at = `step ${index} (${step.kind})`
    switch (step.kind) {
      case 'order': {
        clock += Math.round(step.advance * settings.slideMs)
        const order: DetectorOrder = {
          ts: Math.max(0, clock + Math.round(step.skew * settings.slideMs)),
          account_id: universe.accounts[step.account % universe.accounts.length]!,
          symbol: universe.symbols[step.symbol % universe.symbols.length]!,
          qty: step.qty,
          price: step.price,
        }
        const now = clock + Math.round(step.now * settings.slideMs)
        const expected = reference.observe(order, now)
        expect(detector.observe(order, now), at).toEqual(expected)
        noteOutput(expected, 'order')
        if (expected.late) note('late')
        break
      }
      case 'tick': {
        clock += Math.round(step.advance * settings.slideMs)
        const now = clock + Math.round(step.now * settings.slideMs)
        const before = reference.trackedAccounts + reference.trackedSymbols
        const expected = reference.tick(now)
        expect(detector.tick(now), at).toEqual(expected)
        noteOutput(expected, 'tick')
        if (reference.trackedAccounts + reference.trackedSymbols < before) note('eviction')
        break
      }
      case 'unkill': {
        const scope = scopeText(universe, step.scope, step.spelling)
        const now = clock + Math.round(step.now * settings.slideMs)
        const expected = reference.scopeUnkilled(scope, now)
        expect(detector.scopeUnkilled(scope, now), at).toBe(expected)
        note(expected ? 'unkill of a tracked scope' : 'unkill of another scope')
        break
      }
      case 'ask': {
        const scope = scopeText(universe, step.scope, step.spelling)
        const expected = reference.inEpisode(scope)
        expect(detector.inEpisode(scope), at).toBe(expected)
        if (expected) note('in episode')
        break
      }
    }
    expect(
      {
        watermark: detector.watermark,
        late: detector.lateCount,
        accounts: detector.trackedAccounts,
        symbols: detector.trackedSymbols,
      },
      at,
    ).toEqual({
      watermark: reference.watermark,
      late: reference.lateCount,
      accounts: reference.trackedAccounts,
      symbols: reference.trackedSymbols,
    })
  })
}

const scenario = (maxSteps: number) =>
  fc
    .tuple(settingsArb, universeArb)
    .chain(([settings, universe]) =>
      fc.tuple(
        fc.constant(settings),
        fc.constant(universe),
        fc.array(stepArb(universe), { maxLength: maxSteps, size: 'max' }),
      ),
    )

describe('RiskDetector against the reference detector', () => {
  it('says the same as the reference on random streams, step by step', () => {
    fc.assert(
      fc.property(scenario(400), ([settings, universe, steps]) => compare(settings, universe, steps)),
      { numRuns: RUNS, seed: SEED },
    )
  })

  it('says the same over long streams of many accounts, with the shipped settings', () => {
    const shipped: DetectorSettings = {
      windowMs: 60_000,
      slideMs: 1_000,
      allowedLatenessMs: 5_000,
      thresholds: { orderCount: 100, notional: 1_000_000, topSymbolShare: 0.7 },
      concentrationMinOrders: 20,
      symbolRule: { orderCount: 3_000 },
      signalIntervalMs: 1_000,
      idleEvictMs: 120_000,
    }
    const universe: Universe = {
      accounts: Array.from({ length: 300 }, (_, i) => `acct-${i}`),
      symbols: [...TICKERS, ...Array.from({ length: 200 }, (_, i) => `S${i}`)],
    }
    fc.assert(
      fc.property(fc.array(stepArb(universe), { minLength: 2_000, maxLength: 6_000 }), (steps) =>
        compare(shipped, universe, steps),
      ),
      // Shrinking thousands of steps takes minutes; the short streams above give the small counterexample.
      { numRuns: Math.max(3, Math.round(RUNS / 30)), seed: SEED, endOnFailure: true },
    )
  })

  it('reaches every kind of decision on the way', () => {
    // Runs after the two properties above (vitest keeps the order of a file's tests).
    for (const what of [
      'order kill order_rate_60s',
      'order kill notional_60s',
      'order kill top_symbol_share',
      'order kill symbol_order_rate_60s',
      'tick kill top_symbol_share',
      'order signal',
      'tick signal',
      'late',
      'eviction',
      'unkill of a tracked scope',
      'unkill of another scope',
      'in episode',
    ]) {
      // A shrinking window that raises one symbol's share past the limit is the rarest of them.
      const floor = what === 'tick kill top_symbol_share' ? RUNS / 100 : RUNS / 10
      expect(seen.get(what) ?? 0, what).toBeGreaterThan(floor)
    }
  })
})

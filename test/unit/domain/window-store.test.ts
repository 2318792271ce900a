import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { SymbolTable } from '../../../src/domain/symbol-table.js'
import { WindowStore, type WindowSettings } from '../../../src/domain/window-store.js'
import { ReferenceWindow } from '../../helpers/reference-detector.js'

const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)
const SYMBOLS = ['MSFT', 'AAPL', 'A', 'AA', 'BRK.B', 'X10', 'X9', 'Z', 'B', 'TSLA']
const SHARES = [0, 0.25, 0.5, 0.7, 1]

type Op =
  | { kind: 'add'; window: number; advance: number; skew: number; symbol: number; notional: number }
  | { kind: 'advance'; window: number; advance: number }
  | { kind: 'reset'; window: number; back: number }
  | { kind: 'reopen'; window: number }
  | { kind: 'tidy' }

const opArb = (windows: number): fc.Arbitrary<Op> => {
  const window = fc.nat(windows - 1)
  return fc.oneof(
    {
      weight: 30,
      arbitrary: fc.record({
        kind: fc.constant('add' as const),
        window,
        advance: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 2, noNaN: true }), fc.constantFrom(7, 30)),
        skew: fc.oneof(fc.constant(0), fc.double({ min: -12, max: 0, noNaN: true })),
        symbol: fc.oneof(fc.integer({ min: 0, max: 1 }), fc.nat(SYMBOLS.length - 1)),
        notional: fc.oneof(fc.constantFrom(0.1, 0.3, 1e15), fc.double({ min: 0.01, max: 1e6, noNaN: true })),
      }),
    },
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('advance' as const),
        window,
        advance: fc.constantFrom(0.5, 3, 9),
      }),
    },
    {
      weight: 1,
      arbitrary: fc.record({ kind: fc.constant('reset' as const), window, back: fc.constantFrom(0, 0.5, 2) }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('reopen' as const), window }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'tidy' as const }) },
  )
}

const settingsArb: fc.Arbitrary<WindowSettings> = fc
  .record({
    slideMs: fc.constantFrom(1, 250, 1_000),
    buckets: fc.integer({ min: 1, max: 10 }),
    lateness: fc.constantFrom(0, 1, 4, 12),
  })
  .map(({ slideMs, buckets, lateness }) => ({
    slideMs,
    windowMs: slideMs * buckets,
    allowedLatenessMs: slideMs * lateness,
  }))

/** Each window of the store against a window of the reference, after every operation on any of them. */
function compare(settings: WindowSettings, windowCount: number, ops: readonly Op[]): void {
  const symbols = new SymbolTable()
  const store = new WindowStore(settings, symbols)
  const windows = Array.from({ length: windowCount }, () => store.open())
  const references = windows.map(() => new ReferenceWindow(settings))
  const clocks = windows.map(() => T0)
  ops.forEach((op, index) => {
    const at = `op ${index} (${op.kind})`
    if (op.kind === 'tidy') {
      store.tidy()
      return
    }
    const window = windows[op.window]!
    const reference = references[op.window]!
    switch (op.kind) {
      case 'add': {
        clocks[op.window]! += Math.round(op.advance * settings.slideMs)
        const ts = clocks[op.window]! + Math.round(op.skew * settings.slideMs)
        const symbol = SYMBOLS[op.symbol]!
        const id = symbols.hold(symbol)
        expect(store.add(window, ts, id, op.notional), at).toBe(reference.add(ts, symbol, op.notional))
        symbols.release(id)
        break
      }
      case 'advance':
        clocks[op.window]! += Math.round(op.advance * settings.slideMs)
        store.advanceTo(window, clocks[op.window]!)
        reference.advanceTo(clocks[op.window]!)
        break
      case 'reset': {
        const from = clocks[op.window]! - Math.round(op.back * settings.slideMs)
        store.reset(window, from)
        reference.reset(from)
        break
      }
      case 'reopen':
        store.close(window)
        windows[op.window] = store.open()
        references[op.window] = new ReferenceWindow(settings)
        clocks[op.window] = T0
        break
    }
    const current = references[op.window]!
    const expected = current.metrics()
    const { orderCount, notional } = expected
    expect({ orderCount, notional }, at).toEqual({
      orderCount: store.orderCount(windows[op.window]!),
      notional: store.notional(windows[op.window]!),
    })
    for (const share of SHARES) {
      expect(store.hasTopShare(windows[op.window]!, share), `${at}, share ${share}`).toBe(
        expected.topSymbolShare >= share,
      )
    }
    expect(store.metrics(windows[op.window]!), at).toEqual(expected)
    expect(
      {
        late: store.lateCount(windows[op.window]!),
        watermark: store.watermark(windows[op.window]!),
        lastEventMs: store.lastEventMs(windows[op.window]!),
        buckets: store.bucketsInUse(windows[op.window]!),
      },
      at,
    ).toEqual({
      late: current.lateCount,
      watermark: current.watermark,
      lastEventMs: current.lastEventMs,
      buckets: current.bucketsInUse,
    })
  })
  // Every symbol id is let go once no window counts an order of it.
  for (const window of windows) store.close(window)
  expect(symbols.size).toBe(0)
}

describe('WindowStore', () => {
  it('keeps each of many windows as the reference window keeps one, through moves and compactions', () => {
    fc.assert(
      fc.property(
        settingsArb,
        fc
          .integer({ min: 1, max: 40 })
          .chain((windowCount) =>
            fc.tuple(fc.constant(windowCount), fc.array(opArb(windowCount), { maxLength: 600, size: 'max' })),
          ),
        (settings, [windowCount, ops]) => compare(settings, windowCount, ops),
      ),
      { numRuns: 150, seed: 20_261_204 },
    )
  })

  it('keeps every window as the reference keeps it while many windows grow at once', () => {
    // Given 300 windows that all grow together, so that the arena fills with live words and grows, and their
    // blocks move when they outgrow them; every tenth window is reset now and then, leaving room behind
    const ops: Op[] = []
    for (let slide = 0; slide < 12; slide++) {
      for (let window = 0; window < 300; window++) {
        for (let order = 0; order < 1 + (window % 4); order++) {
          const advance = order === 0 && slide > 0 ? 1 : 0
          ops.push({
            kind: 'add',
            window,
            advance,
            skew: 0,
            symbol: (window + slide + order) % SYMBOLS.length,
            notional: 10.5,
          })
        }
        if (window % 10 === 0 && slide % 5 === 4) ops.push({ kind: 'reset', window, back: 0 })
      }
      if (slide % 4 === 3) ops.push({ kind: 'tidy' })
    }
    // Then each says what the reference says, after every order
    compare({ slideMs: 1_000, windowMs: 10_000, allowedLatenessMs: 5_000 }, 300, ops)
  })

  it('rebases the bucket numbers of a window that lives longer than 2^30 slides', () => {
    // Given one-millisecond slides in a window of 2^30 of them, and an order every 2^29 ms
    const store = new WindowStore({ slideMs: 1, windowMs: 2 ** 30, allowedLatenessMs: 0 }, new SymbolTable())
    const window = store.open()
    for (let i = 0; i < 8; i++) {
      // When the window never empties while its newest bucket runs 3.5 * 2^30 past its first
      expect(store.add(window, T0 + i * 2 ** 29, -1, 1)).toBe('added')
      // Then it holds the order and the one before it, each in its own bucket
      expect(store.orderCount(window)).toBe(Math.min(i + 1, 2))
      expect(store.bucketsInUse(window)).toBe(Math.min(i + 1, 2))
      expect(store.metrics(window).windowEnd).toBe(T0 + i * 2 ** 29 + 1)
    }
  })

  it('refuses a window of more than 2^30 slides', () => {
    expect(
      () => new WindowStore({ slideMs: 1, windowMs: 2 ** 31, allowedLatenessMs: 0 }, new SymbolTable()),
    ).toThrow(/at most/)
  })
})

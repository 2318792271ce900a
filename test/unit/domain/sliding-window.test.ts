import { describe, expect, it } from 'vitest'
import { SlidingWindow, type WindowSettings } from '../../../src/domain/sliding-window.js'

const SETTINGS: WindowSettings = { windowMs: 60_000, slideMs: 1_000, allowedLatenessMs: 5_000 }
const NOON = Date.UTC(2024, 2, 9, 12, 0, 0)

/** What a tumbling 60 s window (the seed's) counts for the minute containing ts. */
function tumblingCounts(timestamps: readonly number[]): Map<number, number> {
  const counts = new Map<number, number>()
  for (const ts of timestamps) {
    const minute = Math.floor(ts / 60_000)
    counts.set(minute, (counts.get(minute) ?? 0) + 1)
  }
  return counts
}

describe('SlidingWindow', () => {
  it('catches a burst straddling a minute boundary that tumbling windows split in two', () => {
    const burst = [
      ...Array.from({ length: 60 }, () => NOON + 59_500),
      ...Array.from({ length: 60 }, () => NOON + 60_500),
    ]
    const tumbling = [...tumblingCounts(burst).values()]
    expect(tumbling).toEqual([60, 60])
    expect(tumbling.some((count) => count > 100)).toBe(false)

    const window = new SlidingWindow(SETTINGS)
    for (const ts of burst) expect(window.add(ts, 'AAPL', 1_000)).toBe('added')
    const metrics = window.metrics()
    expect(metrics.orderCount).toBe(120)
    expect(metrics.orderCount).toBeGreaterThan(100)
    expect(metrics.windowEnd).toBe(NOON + 61_000)
    expect(metrics.windowStart).toBe(NOON + 1_000)
  })

  it('reports count, notional, average, symbols and the top symbol share', () => {
    const window = new SlidingWindow(SETTINGS)
    window.add(NOON + 100, 'AAPL', 1_000)
    window.add(NOON + 200, 'AAPL', 3_000)
    window.add(NOON + 1_300, 'MSFT', 2_000)
    window.add(NOON + 2_400, 'AAPL', 2_000)
    expect(window.metrics()).toEqual({
      orderCount: 4,
      notional: 8_000,
      avgNotional: 2_000,
      uniqueSymbols: 2,
      topSymbol: 'AAPL',
      topSymbolShare: 0.75,
      windowStart: NOON + 3_000 - 60_000,
      windowEnd: NOON + 3_000,
    })
  })

  it('reports an empty window as zeros with no top symbol', () => {
    const metrics = new SlidingWindow(SETTINGS).metrics()
    expect(metrics.orderCount).toBe(0)
    expect(metrics.avgNotional).toBe(0)
    expect(metrics.topSymbol).toBeNull()
    expect(metrics.topSymbolShare).toBe(0)
  })

  it('drops buckets once they are a full window old', () => {
    const window = new SlidingWindow(SETTINGS)
    window.add(NOON + 500, 'AAPL', 100)
    window.add(NOON + 30_500, 'MSFT', 200)
    // The bucket [12:00:00, 12:00:01) is still inside the window ending with bucket 12:00:59.
    window.advanceTo(NOON + 59_999)
    expect(window.metrics().orderCount).toBe(2)
    window.advanceTo(NOON + 60_000)
    expect(window.metrics()).toMatchObject({
      orderCount: 1,
      notional: 200,
      uniqueSymbols: 1,
      topSymbol: 'MSFT',
    })
    window.advanceTo(NOON + 90_000)
    expect(window.metrics()).toMatchObject({ orderCount: 0, notional: 0, uniqueSymbols: 0, topSymbol: null })
    expect(window.isEmpty).toBe(true)
  })

  it('keeps at most windowMs/slideMs buckets however long orders keep coming', () => {
    const window = new SlidingWindow(SETTINGS)
    for (let i = 0; i < 10 * 60 * 4; i++) window.add(NOON + i * 250, `S${i % 7}`, 10)
    expect(window.bucketsInUse).toBe(60)
    // Four orders a second for the last 60 seconds.
    expect(window.metrics().orderCount).toBe(240)
  })

  it('counts a slightly late order but refuses one older than the watermark minus the allowed lateness', () => {
    const window = new SlidingWindow(SETTINGS)
    window.add(NOON + 20_000, 'AAPL', 100)
    expect(window.add(NOON + 15_000, 'AAPL', 100)).toBe('added')
    expect(window.add(NOON + 14_999, 'AAPL', 100)).toBe('late')
    expect(window.lateCount).toBe(1)
    expect(window.metrics().orderCount).toBe(2)
    expect(window.watermark).toBe(NOON + 20_000)
  })

  it('judges lateness against a watermark advanced without orders', () => {
    const window = new SlidingWindow(SETTINGS)
    window.add(NOON, 'AAPL', 100)
    window.advanceTo(NOON + 30_000)
    expect(window.add(NOON + 24_000, 'AAPL', 100)).toBe('late')
    expect(window.add(NOON + 26_000, 'AAPL', 100)).toBe('added')
  })

  it('starts empty after a reset and ignores orders stamped before it', () => {
    const window = new SlidingWindow(SETTINGS)
    for (let i = 0; i < 10; i++) window.add(NOON + i * 100, 'AAPL', 100)
    window.reset(NOON + 2_000)
    expect(window.metrics().orderCount).toBe(0)
    expect(window.add(NOON + 1_999, 'AAPL', 100)).toBe('late')
    expect(window.add(NOON + 2_000, 'AAPL', 100)).toBe('added')
    expect(window.metrics().orderCount).toBe(1)
  })

  it('breaks a top-symbol tie alphabetically so replays agree', () => {
    const window = new SlidingWindow(SETTINGS)
    window.add(NOON, 'MSFT', 1)
    window.add(NOON, 'AAPL', 1)
    expect(window.metrics().topSymbol).toBe('AAPL')
    expect(window.metrics().topSymbolShare).toBe(0.5)
  })

  it('refuses settings whose window is not a whole number of buckets', () => {
    expect(() => new SlidingWindow({ windowMs: 60_000, slideMs: 7_000, allowedLatenessMs: 0 })).toThrow(
      /multiple/,
    )
  })
})

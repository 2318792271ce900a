import { describe, expect, it } from 'vitest'
import { RateMeter } from '../../../src/tui/rate-meter.js'

describe('RateMeter', () => {
  it('measures events per second over the sliding window', () => {
    // Given 10 events a second for 5 s
    const meter = new RateMeter({ startedAt: 0, windowMs: 5000, bucketMs: 250 })
    for (let t = 0; t < 5000; t += 100) meter.record(t)
    // Then the rate over the window is 10/s
    expect(meter.perSecond(4999)).toBeCloseTo(10, 1)
  })

  it('forgets events once they leave the window', () => {
    const meter = new RateMeter({ startedAt: 0, windowMs: 5000, bucketMs: 250 })
    for (let t = 0; t < 1000; t += 10) meter.record(t)
    expect(meter.perSecond(1000)).toBeGreaterThan(50)
    expect(meter.perSecond(6500)).toBe(0)
    // A bucket slot reused for a later time starts again from zero.
    meter.record(20_000)
    expect(meter.perSecond(20_249)).toBeCloseTo(1 / 5, 3)
  })

  it('takes a rate over the time it has watched, at least a second', () => {
    const meter = new RateMeter({ startedAt: 10_000, windowMs: 5000, bucketMs: 250 })
    meter.record(10_010, 4)
    // 4 events 10 ms after starting are not 400/s
    expect(meter.perSecond(10_010)).toBe(4)
    meter.record(12_000, 4)
    expect(meter.perSecond(12_000)).toBeCloseTo(4, 5)
  })
})

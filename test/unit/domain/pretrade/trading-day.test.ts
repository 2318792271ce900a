import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { TradingDay } from '../../../../src/domain/pretrade/trading-day.js'

const at = (iso: string) => Date.parse(iso)
const iso = (ms: number) => new Date(ms).toISOString()

describe('a trading day', () => {
  const newYork5pm = new TradingDay('America/New_York', 17)

  it.each([
    ['2026-12-07T21:59:59Z', '2026-12-06T22:00:00.000Z', '2026-12-07T22:00:00.000Z'],
    ['2026-12-07T22:00:00Z', '2026-12-07T22:00:00.000Z', '2026-12-08T22:00:00.000Z'],
    // Daylight saving starts on 8 March 2026: that trading day lasts 23 hours.
    ['2026-03-08T12:00:00Z', '2026-03-07T22:00:00.000Z', '2026-03-08T21:00:00.000Z'],
    // And ends on 1 November: 25 hours.
    ['2026-11-01T12:00:00Z', '2026-10-31T21:00:00.000Z', '2026-11-01T22:00:00.000Z'],
  ])('at %s began at %s and ends at %s', (now, start, end) => {
    expect(iso(newYork5pm.startOf(at(now)))).toBe(start)
    expect(iso(newYork5pm.endOf(at(now)))).toBe(end)
  })

  it('starts when the clocks jump past an hour that does not exist that day', () => {
    expect(iso(new TradingDay('America/New_York', 2).startOf(at('2026-03-08T12:00:00Z')))).toBe('2026-03-08T07:00:00.000Z')
  })

  it('refuses an hour out of range or a time zone that does not exist', () => {
    expect(() => new TradingDay('UTC', 24)).toThrow(RangeError)
    expect(() => new TradingDay('Mars/Olympus_Mons', 0)).toThrow(RangeError)
  })

  it('holds every instant in exactly one day, of 23 to 25 hours', () => {
    const zones = fc.constantFrom('UTC', 'America/New_York', 'Europe/London', 'Asia/Tokyo', 'Australia/Sydney', 'America/Chicago')
    fc.assert(
      fc.property(zones, fc.integer({ min: 0, max: 23 }), fc.integer({ min: at('2020-01-01T00:00:00Z'), max: at('2035-01-01T00:00:00Z') }), (zone, hour, now) => {
        const day = new TradingDay(zone, hour)
        const start = day.startOf(now)
        const end = day.endOf(now)
        expect(start).toBeLessThanOrEqual(now)
        expect(now).toBeLessThan(end)
        expect(end - start).toBeGreaterThanOrEqual(23 * 3_600_000)
        expect(end - start).toBeLessThanOrEqual(25 * 3_600_000)
        expect(day.startOf(end)).toBe(end)
        expect(day.startOf(start)).toBe(start)
      }),
      { numRuns: 300 },
    )
  })
})

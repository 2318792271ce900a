/**
 * A trading day that starts at a whole hour of a time zone (e.g. 17:00 America/New_York, as US futures do) and
 * lasts until the next day's start: 23, 24 or 25 hours across a change of daylight saving time. Credit used is
 * counted per trading day; the router's clock says which day it is, never the order's own `ts`.
 */
export class TradingDay {
  private readonly parts: Intl.DateTimeFormat
  /** The last day worked out: the router asks for every order, and a time zone's rules cost microseconds to apply. */
  private last: { readonly start: number; readonly end: number } | undefined

  constructor(
    readonly timeZone: string,
    readonly startHour: number,
  ) {
    if (!Number.isInteger(startHour) || startHour < 0 || startHour > 23) {
      throw new RangeError(`a trading day starts at an hour from 0 to 23, got ${startHour}`)
    }
    // Throws a RangeError for a time zone the runtime does not know.
    this.parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    })
  }

  /** When the trading day holding `nowMs` began, epoch ms. */
  startOf(nowMs: number): number {
    const last = this.last
    if (last !== undefined && nowMs >= last.start && nowMs < last.end) return last.start
    const start = this.computeStart(nowMs)
    // 26 hours on is always inside the next day (which lasts at least 23); its start is this day's end.
    this.last = { start, end: this.computeStart(start + 26 * 3_600_000) }
    return start
  }

  /** When the trading day after the one holding `nowMs` begins. */
  endOf(nowMs: number): number {
    this.startOf(nowMs)
    return this.last!.end
  }

  private computeStart(nowMs: number): number {
    const local = this.localParts(nowMs)
    // Before the start hour, the day began on the calendar day before.
    const dayShift = local.hour < this.startHour ? -1 : 0
    const wall = Date.UTC(local.year, local.month - 1, local.day + dayShift, this.startHour)
    return this.instantOf(wall)
  }

  /** The instant whose wall time in the zone is `wall` (a UTC-coded wall time); in a gap, the first instant after. */
  private instantOf(wall: number): number {
    let guess = wall - this.offsetAt(wall)
    guess = wall - this.offsetAt(guess)
    // A wall time skipped by a spring-forward gap does not exist: read with the offset before the gap, it is the
    // instant the clocks jumped, which is when the day starts.
    return this.wallOf(guess) === wall ? guess : wall - this.offsetAt(guess - 3_600_000)
  }

  /** The zone's offset from UTC at `instant`, in ms. */
  private offsetAt(instant: number): number {
    return this.wallOf(instant) - instant
  }

  private wallOf(instant: number): number {
    const p = this.localParts(instant)
    return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second)
  }

  private localParts(instant: number): { year: number; month: number; day: number; hour: number; minute: number; second: number } {
    const out = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 }
    for (const part of this.parts.formatToParts(Math.floor(instant / 1000) * 1000)) {
      if (part.type in out) out[part.type as keyof typeof out] = Number(part.value)
    }
    return out
  }
}

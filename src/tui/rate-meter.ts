export interface RateMeterOptions {
  /** When observation began: a rate is never taken over time the meter did not watch. */
  readonly startedAt: number
  readonly windowMs?: number
  readonly bucketMs?: number
}

/** Below this much observed time a rate is taken over a full second, so one early record is not "1000/s". */
const MIN_SPAN_MS = 1000

/**
 * Events per second over a sliding window, kept in time buckets: constant memory and O(1) per
 * event however fast a topic runs. Time is passed in, so tests need no clock.
 */
export class RateMeter {
  private readonly windowMs: number
  private readonly bucketMs: number
  private readonly counts: number[]
  /** The bucket number (time / bucketMs) each slot currently counts for. */
  private readonly slots: number[]

  constructor(private readonly options: RateMeterOptions) {
    this.windowMs = options.windowMs ?? 5000
    this.bucketMs = options.bucketMs ?? 250
    const buckets = Math.max(1, Math.ceil(this.windowMs / this.bucketMs))
    this.counts = new Array<number>(buckets).fill(0)
    this.slots = new Array<number>(buckets).fill(-1)
  }

  record(now: number, events = 1): void {
    const bucket = Math.floor(now / this.bucketMs)
    const slot = bucket % this.counts.length
    if (this.slots[slot] !== bucket) {
      this.slots[slot] = bucket
      this.counts[slot] = 0
    }
    this.counts[slot]! += events
  }

  perSecond(now: number): number {
    const current = Math.floor(now / this.bucketMs)
    const oldest = current - this.counts.length + 1
    let events = 0
    for (let slot = 0; slot < this.counts.length; slot += 1) {
      const bucket = this.slots[slot]!
      if (bucket >= oldest && bucket <= current) events += this.counts[slot]!
    }
    const windowSpan = (this.counts.length - 1) * this.bucketMs + (now - current * this.bucketMs)
    const span = Math.max(MIN_SPAN_MS, Math.min(windowSpan, now - this.options.startedAt))
    return (events * 1000) / span
  }
}

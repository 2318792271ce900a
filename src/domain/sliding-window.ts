export interface WindowSettings {
  readonly windowMs: number
  /** Bucket size: the window slides one bucket at a time. */
  readonly slideMs: number
  /** How far behind the watermark an order may arrive and still be counted. */
  readonly allowedLatenessMs: number
}

export interface WindowMetrics {
  readonly orderCount: number
  readonly notional: number
  readonly avgNotional: number
  readonly uniqueSymbols: number
  readonly topSymbol: string | null
  /** topSymbol's orders over all orders; 0 for an empty window. */
  readonly topSymbolShare: number
  /** The window is [windowStart, windowEnd): whole buckets, ending with the newest one. */
  readonly windowStart: number
  readonly windowEnd: number
}

export type AddOutcome = 'added' | 'late'

const EMPTY_SLOT = -1

/**
 * One key's sliding event-time window, made of slideMs buckets in a ring. Tumbling windows split a burst that
 * straddles a boundary in two and miss it; this one always looks back a whole windowMs from the newest bucket.
 * Memory is windowMs/slideMs buckets however many orders arrive.
 */
export class SlidingWindow {
  private readonly slideMs: number
  private readonly windowMs: number
  private readonly allowedLatenessMs: number
  private readonly bucketCount: number
  /** The bucket number each slot holds, or EMPTY_SLOT. */
  private readonly slotBucket: number[]
  private readonly slotCount: number[]
  private readonly slotNotional: number[]
  /**
   * Per slot, its orders' symbols: one symbol alone (all slotCount orders of it, the common case for an account that
   * sends an order or two a second, and no Map to keep), or a Map of counts once a second symbol arrives.
   */
  private readonly slotSymbols: (Map<string, number> | string | undefined)[]
  private readonly symbolTotals = new Map<string, number>()
  private totalCount = 0
  private totalNotional = 0
  private head = Number.NEGATIVE_INFINITY
  private watermarkMs = Number.NEGATIVE_INFINITY
  /** After a reset, orders from before it belong to the history that was wiped. */
  private floorMs = Number.NEGATIVE_INFINITY
  private newestEventMs = Number.NEGATIVE_INFINITY
  private late = 0

  constructor(settings: WindowSettings) {
    const { windowMs, slideMs, allowedLatenessMs } = settings
    if (!(slideMs > 0) || !(windowMs >= slideMs) || windowMs % slideMs !== 0) {
      throw new RangeError(`windowMs (${windowMs}) must be a positive multiple of slideMs (${slideMs})`)
    }
    if (!(allowedLatenessMs >= 0))
      throw new RangeError(`allowedLatenessMs (${allowedLatenessMs}) must be >= 0`)
    this.windowMs = windowMs
    this.slideMs = slideMs
    this.allowedLatenessMs = allowedLatenessMs
    this.bucketCount = windowMs / slideMs
    this.slotBucket = new Array<number>(this.bucketCount).fill(EMPTY_SLOT)
    this.slotCount = new Array<number>(this.bucketCount).fill(0)
    this.slotNotional = new Array<number>(this.bucketCount).fill(0)
    this.slotSymbols = new Array<Map<string, number> | string | undefined>(this.bucketCount).fill(undefined)
  }

  /** The newest event time this window has seen or been advanced to. */
  get watermark(): number {
    return this.watermarkMs
  }

  /** The newest order's event time, or -Infinity before the first. */
  get lastEventMs(): number {
    return this.newestEventMs
  }

  get lateCount(): number {
    return this.late
  }

  get isEmpty(): boolean {
    return this.totalCount === 0
  }

  /** The buckets in use; never more than windowMs/slideMs. */
  get bucketsInUse(): number {
    let used = 0
    for (const bucket of this.slotBucket) if (bucket !== EMPTY_SLOT) used++
    return used
  }

  /** Counts an order at event time ts, unless it is older than the watermark allows. */
  add(ts: number, symbol: string, notional: number): AddOutcome {
    if (ts < this.floorMs || ts < this.watermarkMs - this.allowedLatenessMs) {
      this.late++
      return 'late'
    }
    this.advanceTo(ts)
    const bucket = Math.floor(ts / this.slideMs)
    if (bucket <= this.head - this.bucketCount) {
      // Only reachable when allowedLatenessMs reaches back past the window itself.
      this.late++
      return 'late'
    }
    const slot = this.slotOf(bucket)
    if (this.slotBucket[slot] !== bucket) {
      this.clearSlot(slot)
      this.slotBucket[slot] = bucket
    }
    const before = this.slotCount[slot] ?? 0
    const symbols = this.slotSymbols[slot]
    if (symbols === undefined || (before === 0 && typeof symbols === 'string')) {
      this.slotSymbols[slot] = symbol
    } else if (typeof symbols === 'string') {
      if (symbols !== symbol) {
        this.slotSymbols[slot] = new Map([
          [symbols, before],
          [symbol, 1],
        ])
      }
    } else {
      symbols.set(symbol, (symbols.get(symbol) ?? 0) + 1)
    }
    this.slotCount[slot] = before + 1
    this.slotNotional[slot] = (this.slotNotional[slot] ?? 0) + notional
    this.symbolTotals.set(symbol, (this.symbolTotals.get(symbol) ?? 0) + 1)
    this.totalCount++
    this.totalNotional += notional
    if (ts > this.newestEventMs) this.newestEventMs = ts
    return 'added'
  }

  /** Moves event time forward to ts (never back), dropping buckets that fall out of the window. */
  advanceTo(ts: number): void {
    if (ts <= this.watermarkMs) return
    this.watermarkMs = ts
    const newHead = Math.floor(ts / this.slideMs)
    if (newHead <= this.head) return
    if (newHead - this.head >= this.bucketCount) {
      for (let slot = 0; slot < this.bucketCount; slot++) this.clearSlot(slot)
    } else {
      // Each bucket entering the window reuses the slot of the one leaving it.
      for (let bucket = this.head + 1; bucket <= newHead; bucket++) this.clearSlot(this.slotOf(bucket))
    }
    this.head = newHead
  }

  /** Forgets every order; orders stamped before fromMs will be refused as late from now on. */
  reset(fromMs: number): void {
    for (let slot = 0; slot < this.bucketCount; slot++) this.clearSlot(slot)
    if (fromMs > this.floorMs) this.floorMs = fromMs
  }

  metrics(): WindowMetrics {
    let topSymbol: string | null = null
    let topCount = 0
    for (const [symbol, symbolCount] of this.symbolTotals) {
      // Ties go to the alphabetically first symbol so that replays give the same answer.
      if (symbolCount > topCount || (symbolCount === topCount && topSymbol !== null && symbol < topSymbol)) {
        topSymbol = symbol
        topCount = symbolCount
      }
    }
    const orderCount = this.totalCount
    const windowEnd = Number.isFinite(this.head) ? (this.head + 1) * this.slideMs : 0
    return {
      orderCount,
      notional: this.totalNotional,
      avgNotional: orderCount === 0 ? 0 : this.totalNotional / orderCount,
      uniqueSymbols: this.symbolTotals.size,
      topSymbol,
      topSymbolShare: orderCount === 0 ? 0 : topCount / orderCount,
      windowStart: Math.max(0, windowEnd - this.windowMs),
      windowEnd,
    }
  }

  private forget(symbol: string, count: number): void {
    const remaining = (this.symbolTotals.get(symbol) ?? 0) - count
    if (remaining > 0) this.symbolTotals.set(symbol, remaining)
    else this.symbolTotals.delete(symbol)
  }

  private slotOf(bucket: number): number {
    return ((bucket % this.bucketCount) + this.bucketCount) % this.bucketCount
  }

  private clearSlot(slot: number): void {
    if (this.slotBucket[slot] === EMPTY_SLOT) return
    const symbols = this.slotSymbols[slot]
    if (typeof symbols === 'string') {
      this.forget(symbols, this.slotCount[slot] ?? 0)
      this.slotSymbols[slot] = undefined
    } else if (symbols !== undefined) {
      for (const [symbol, symbolCount] of symbols) this.forget(symbol, symbolCount)
      // Kept and cleared rather than dropped: a busy key's slot is reused a bucket later.
      symbols.clear()
    }
    this.totalCount -= this.slotCount[slot] ?? 0
    this.totalNotional -= this.slotNotional[slot] ?? 0
    // Floating-point subtraction leaves dust; an empty window has exactly zero notional.
    if (this.totalCount === 0) this.totalNotional = 0
    this.slotBucket[slot] = EMPTY_SLOT
    this.slotCount[slot] = 0
    this.slotNotional[slot] = 0
  }
}

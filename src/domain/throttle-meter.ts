interface MeterEntry {
  second: number
  count: number
  corrId: string
}

/**
 * Orders let through per throttled scope in the current second. A new throttle (a new corr_id) starts from
 * zero. The second never moves back: an order from an earlier second counts against the current one, so
 * out-of-order timestamps cannot reopen a spent second.
 */
export class ThrottleMeter {
  private readonly entries = new Map<string, MeterEntry>()

  /** Orders already let through for this throttle in the second of nowMs. */
  used(scope: string, corrId: string, nowMs: number): number {
    const entry = this.entries.get(scope)
    if (entry === undefined || entry.corrId !== corrId || secondOf(nowMs) > entry.second) return 0
    return entry.count
  }

  hasRoom(scope: string, corrId: string, maxPerSecond: number, nowMs: number): boolean {
    return this.used(scope, corrId, nowMs) < maxPerSecond
  }

  record(scope: string, corrId: string, nowMs: number): void {
    const second = secondOf(nowMs)
    const entry = this.entries.get(scope)
    if (entry === undefined) {
      this.entries.set(scope, { second, count: 1, corrId })
    } else if (entry.corrId !== corrId || second > entry.second) {
      entry.second = second
      entry.count = 1
      entry.corrId = corrId
    } else {
      entry.count++
    }
  }

  /** For a scope that is no longer throttled. */
  forget(scope: string): void {
    this.entries.delete(scope)
  }

  get size(): number {
    return this.entries.size
  }
}

function secondOf(ms: number): number {
  return Math.floor(ms / 1000)
}

/**
 * Exact pacing: order k is due at k / rate seconds after the start (the first at once), never
 * more than the total. A 50/s run of 10 s therefore produces exactly 500, whatever the timer
 * jitter: a late tick sends what is due in one batch.
 */
export function ordersDue(rate: number, elapsedMs: number, total: number): number {
  return Math.min(total, Math.floor((rate * elapsedMs) / 1000) + 1)
}

/** The event time of order `seq`: evenly spaced from the start. */
export function scheduledTime(startMs: number, rate: number, seq: number): number {
  return startMs + Math.floor((seq * 1000) / rate)
}

export function totalOrders(rate: number, durationSeconds: number): number {
  return Math.round(rate * durationSeconds)
}

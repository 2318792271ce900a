/** One control action the aggregator applied: a kill-switch change or a limits change. */
export interface ControlAction {
  readonly ts: number
  /** KILL, UNKILL, THROTTLE, SET_LIMITS, ... as the command named it. */
  readonly action: string
  readonly scope: string
  readonly corr_id: string
  readonly cmd_id: string | undefined
  /** The operator it names, else the rule or job that sent it; undefined when the command is no longer on the log. */
  readonly who: string | undefined
  readonly reason: string | undefined
  /** The detector's metric and value, for a detector's kill. */
  readonly metric?: string | undefined
  readonly value?: number | undefined
  /** When the command was sent (its ts): for a detector's kill, the moment the rule was breached. */
  readonly sent_ts: number | undefined
}

/** What became of one kill or throttle: how long it held, what it stopped, how fast. */
export interface ControlEpisode extends ControlAction {
  /** When the next change of the scope lifted or replaced it; undefined while it still held at the period's end. */
  readonly ended_ts: number | undefined
  readonly ended_by: string | undefined
  readonly duration_ms: number | undefined
  readonly orders_dropped: number
  readonly notional_stopped: number
  /** Its first DROP, and the time from the command's sending (the breach, for the detector) to it. */
  readonly first_drop_ts: number | undefined
  readonly time_to_block_ms: number | undefined
}

/** A drop under a control, with what the order was worth. */
export interface DropRow {
  readonly corr_id: string
  readonly ts: number
  readonly notional: number | undefined
}

export interface RateBucket {
  /** Epoch ms at which the bucket starts. */
  readonly start_ms: number
  /** Orders per second over the bucket. */
  readonly allowed_per_s: number
  readonly dropped_per_s: number
}

const ENDS_A_KILL = new Set(['UNKILL', 'THROTTLE', 'KILL'])

/**
 * Each KILL and THROTTLE with what followed it: until the scope's next kill-switch change, the orders dropped under
 * its corr_id, their notional, and the time from its sending to its first DROP. Limits changes are listed as actions.
 */
export function episodesOf(
  actions: readonly ControlAction[],
  drops: readonly DropRow[],
  periodEndMs: number,
): ControlEpisode[] {
  const byCorr = new Map<string, { count: number; notional: number; first: number }>()
  for (const drop of drops) {
    const seen = byCorr.get(drop.corr_id) ?? { count: 0, notional: 0, first: Number.POSITIVE_INFINITY }
    seen.count += 1
    seen.notional += drop.notional ?? 0
    seen.first = Math.min(seen.first, drop.ts)
    byCorr.set(drop.corr_id, seen)
  }
  const sorted = [...actions].sort((a, b) => a.ts - b.ts)
  return sorted
    .filter((action) => action.action === 'KILL' || action.action === 'THROTTLE')
    .map((action) => {
      const next = sorted.find(
        (later) => later.ts > action.ts && later.scope === action.scope && ENDS_A_KILL.has(later.action),
      )
      const ended = next !== undefined && next.ts <= periodEndMs ? next : undefined
      const dropped = byCorr.get(action.corr_id)
      const firstDrop = dropped === undefined ? undefined : dropped.first
      const from = action.sent_ts ?? action.ts
      return {
        ...action,
        ended_ts: ended?.ts,
        ended_by: ended === undefined ? undefined : `${ended.action} by ${ended.who ?? 'unknown'}`,
        duration_ms: ended === undefined ? undefined : ended.ts - action.ts,
        orders_dropped: dropped?.count ?? 0,
        notional_stopped: Math.round((dropped?.notional ?? 0) * 100) / 100,
        first_drop_ts: firstDrop,
        time_to_block_ms: firstDrop === undefined ? undefined : firstDrop - from,
      }
    })
}

/** A second per point up to two hours, a minute up to two days, an hour beyond: a chart stays a few thousand points. */
export function bucketMsFor(spanMs: number): number {
  return spanMs <= 2 * 3_600_000 ? 1_000 : spanMs <= 2 * 86_400_000 ? 60_000 : 3_600_000
}

/** Orders allowed and dropped per second, from counts per bucket of `bucketMs`; buckets with neither filled in. */
export function ratesOf(
  counts: readonly {
    readonly start_ms: number
    readonly decision: 'ALLOW' | 'DROP'
    readonly count: number
  }[],
  bucketMs: number,
): RateBucket[] {
  if (counts.length === 0) return []
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (const { start_ms: start } of counts) {
    first = Math.min(first, start)
    last = Math.max(last, start)
  }
  const perSecond = bucketMs / 1000
  const buckets = Array.from({ length: (last - first) / bucketMs + 1 }, (_, i) => ({
    start_ms: first + i * bucketMs,
    allowed_per_s: 0,
    dropped_per_s: 0,
  }))
  for (const { start_ms: start, decision, count } of counts) {
    const bucket = buckets[(start - first) / bucketMs]!
    if (decision === 'ALLOW') bucket.allowed_per_s += count / perSecond
    else bucket.dropped_per_s += count / perSecond
  }
  return buckets
}

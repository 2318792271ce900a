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
  /** Applied before the period and still in force at its start: counted for what it stopped in the period. */
  readonly before_period: boolean
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
  /** Where the DROP lies on audit.v1: one order counts once, however many episodes it falls under. */
  readonly at?: string | undefined
  readonly corr_id: string
  /** The scopes the dropped order matched: a corr_id is the sender's to choose, and two commands may share one. */
  readonly scopes: readonly string[]
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
/** A command sent longer than this before it was applied, or after, was stamped by a clock that is off. */
const MOST_BELIEVABLE_WAIT_MS = 60_000

/**
 * Each KILL and THROTTLE with what followed it, in the period [fromMs, toMs]: until the scope's next kill-switch
 * change, the orders dropped under its corr_id and scope in the period, their notional, and the time from its sending
 * to its first DROP. `actions` may hold changes from before the period: the last of each scope, if a KILL or a
 * THROTTLE, is counted as still in force at its start. Limits changes are no episodes.
 */
export function episodesOf(
  actions: readonly ControlAction[],
  drops: readonly DropRow[],
  fromMs: number,
  toMs: number,
): ControlEpisode[] {
  const sorted = [...actions].sort((a, b) => a.ts - b.ts)
  const changes = sorted.filter((action) => ENDS_A_KILL.has(action.action))
  const carried = new Map<string, ControlAction>()
  for (const change of changes) if (change.ts < fromMs) carried.set(change.scope, change)
  const starts = [
    ...[...carried.values()].filter((change) => change.action !== 'UNKILL'),
    ...changes.filter((change) => change.ts >= fromMs && change.ts <= toMs && change.action !== 'UNKILL'),
  ]
  return starts.map((action) => {
    const next = changes.find((later) => later.ts > action.ts && later.scope === action.scope)
    const ended = next !== undefined && next.ts <= toMs ? next : undefined
    let count = 0
    let notional = 0
    let firstDrop: number | undefined
    for (const drop of drops) {
      if (drop.corr_id !== action.corr_id || !drop.scopes.includes(action.scope)) continue
      if (drop.ts < Math.max(action.ts, fromMs) || drop.ts > Math.min(ended?.ts ?? toMs, toMs)) continue
      count += 1
      notional += drop.notional ?? 0
      firstDrop = firstDrop === undefined ? drop.ts : Math.min(firstDrop, drop.ts)
    }
    // From its sending (the breach, for a detector's kill), on a clock that agrees with the aggregator's; else from its apply.
    const sent = action.sent_ts
    const from =
      sent !== undefined && sent <= action.ts && sent >= action.ts - MOST_BELIEVABLE_WAIT_MS
        ? sent
        : action.ts
    return {
      ...action,
      before_period: action.ts < fromMs,
      ended_ts: ended?.ts,
      ended_by: ended === undefined ? undefined : `${ended.action} by ${ended.who ?? 'unknown'}`,
      duration_ms: ended === undefined ? undefined : ended.ts - action.ts,
      orders_dropped: count,
      notional_stopped: Math.round(notional * 100) / 100,
      first_drop_ts: firstDrop,
      // Only a first DROP of the kill's own first moments says how fast it blocked: one found later in a period says not.
      time_to_block_ms: firstDrop === undefined || action.ts < fromMs ? undefined : firstDrop - from,
    }
  })
}

/** The episodes, and what they stopped together: an order dropped under two of them (a shared corr_id) counts once. */
export function killActivity(
  actions: readonly ControlAction[],
  drops: readonly DropRow[],
  fromMs: number,
  toMs: number,
): {
  readonly episodes: ControlEpisode[]
  readonly orders_dropped: number
  readonly notional_stopped: number
} {
  const episodes = episodesOf(actions, drops, fromMs, toMs)
  const counted = new Map<string, number>()
  for (const drop of drops) {
    const under = episodes.some(
      (e) =>
        e.corr_id === drop.corr_id &&
        drop.scopes.includes(e.scope) &&
        drop.ts >= Math.max(e.ts, fromMs) &&
        drop.ts <= Math.min(e.ended_ts ?? toMs, toMs),
    )
    if (under) counted.set(drop.at ?? `${drop.corr_id} ${drop.ts} ${counted.size}`, drop.notional ?? 0)
  }
  const notional = [...counted.values()].reduce((sum, value) => sum + value, 0)
  return { episodes, orders_dropped: counted.size, notional_stopped: Math.round(notional * 100) / 100 }
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

import type { AuditRecord } from '../domain/audit-record.js'
import type { KillStateView } from '../domain/kill-state-table.js'
import type { Consumer, EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'
import { ROUTER_GROUP } from '../../topologies/groups.js'
import { AUDIT, ORDERS, ORDERS_GATED } from '../../topologies/topics.js'
import { loadLimitsTopology, type LimitsTopology } from '../config/limits-topology.js'
import type { LimitsView } from '../domain/pretrade/limits-table.js'
import { isTransient, newConnectivity } from './connectivity.js'
import { processorLog, type ProcessorLog } from './log-access.js'
import type { Processor } from './processor.js'
import { readRange } from './read-range.js'
import { ROUTER_STATE_TOPICS, RouterState } from './router-state.js'
import { ROUTER_SERVICE } from './router-step.js'
import { ROUTER_OUTPUTS, RouterWrites, type DecidedBatch, type RouterOutput } from './router-writes.js'
import { markConnected, supervise } from './supervise.js'

export { ROUTER_OUTPUTS, ROUTER_SERVICE, type RouterOutput }
/** Orders per atomic write when neither the options nor the log say. */
const DEFAULT_MAX_BATCH = 1000
/** How long a decided order_id is remembered, across restarts too: a re-send within it is DUPLICATE. */
export const DEFAULT_DUPLICATE_HORIZON_MS = 60 * 60 * 1000
/** The most order_ids remembered, whatever the horizon: about 100 bytes each (npm run bench). */
export const DEFAULT_MAX_REMEMBERED_IDS = 2_000_000

export interface RouterStats {
  ready: boolean
  ordersIn: number
  allowed: number
  dropped: number
  duplicates: number
  deadLetters: number
  stateRecords: number
  /** State records that were not enforced as written (incomplete, unreadable, naming no scope). */
  stateProblems: number
  /** The last of them, for the status line: an alert until an operator sees to it. */
  lastStateProblem: string | undefined
  /** Order ids remembered from audit.v1 at the last (re)start, and how long reading them took. */
  rememberedAtStart: number
  rememberMs: number
  /** The orders.v1 partitions this instance decides; with several routers, each has a share. */
  partitions: readonly number[]
}

export interface RouterOptions {
  readonly maxBatch?: number
  /** Called after each batch is durable, with its audit records; for the status line and tests. */
  readonly onBatch?: (audits: readonly AuditRecord[]) => void
  readonly now?: () => number
  /** How long a decided order_id stays a DUPLICATE when re-sent (default one hour). */
  readonly duplicateHorizonMs?: number
  readonly maxRememberedIds?: number
  /**
   * Read the duplicate horizon back from audit.v1 at each (re)start (default). A router made for one batch
   * (a Lambda delivery) leaves it off: it would read an hour of audits per batch.
   */
  readonly rememberFromAudit?: boolean
  /** The firm's default limits and the checks' settings (default: topologies/limits.json). */
  readonly limits?: LimitsTopology
}

/**
 * The order router. Fail closed: it reads the compacted state to its end before it decides any
 * order. Then, per batch, it applies state changes first, decides each order against GLOBAL,
 * ACCOUNT, SYMBOL and STRATEGY, and writes the audit records, the allowed orders, the dead
 * letters and its group position in one atomic write: exactly one audit record per order, even
 * across a kill -9. The writes trail the decisions (RouterWrites): a batch is decided as soon as
 * it is polled, while the write of the ones before it is still under way.
 */
export class Router implements Processor {
  readonly name = 'router'
  readonly stats: RouterStats = {
    ready: false,
    ordersIn: 0,
    allowed: 0,
    dropped: 0,
    duplicates: 0,
    deadLetters: 0,
    stateRecords: 0,
    stateProblems: 0,
    lastStateProblem: undefined,
    rememberedAtStart: 0,
    rememberMs: 0,
    partitions: [],
  }
  readonly connectivity = newConnectivity()
  /** Its kill state is rebuilt from the compacted topic on every (re)start. */
  private readonly state: RouterState
  private readonly now: () => number
  private readonly duplicateHorizonMs: number
  /** The partitions held since the horizon was last read back. */
  private readonly rememberedFor = new Set<number>()
  /** Whether this attempt has had its first assignment (covered by the read at its start). */
  private assigned = false

  constructor(
    private readonly log: ProcessorLog<RouterOutput>,
    private readonly options: RouterOptions = {},
  ) {
    this.now = options.now ?? Date.now
    this.duplicateHorizonMs = options.duplicateHorizonMs ?? DEFAULT_DUPLICATE_HORIZON_MS
    this.state = new RouterState(
      options.maxRememberedIds ?? DEFAULT_MAX_REMEMBERED_IDS,
      options.limits ?? loadLimitsTopology(),
      this.stats,
    )
  }

  /** The kill state this router enforces, to read: only the state topic changes it. */
  get killState(): KillStateView {
    return this.state.view
  }

  /** The limits this router enforces, to read: only risk_limits.v1 changes them. */
  get limits(): LimitsView {
    return this.state.limitsView
  }

  async run(signal: AbortSignal): Promise<void> {
    await supervise((attempt) => this.attempt(attempt), signal, { connectivity: this.connectivity })
  }

  private async attempt(signal: AbortSignal): Promise<void> {
    const states = await this.bootstrap()
    let orders: Consumer | undefined
    let writes: RouterWrites | undefined
    try {
      this.rememberedFor.clear()
      this.assigned = false
      if (this.options.rememberFromAudit !== false) await this.rememberDecided()
      const consumer = await this.log.reader.consumer({
        topics: [ORDERS],
        groupId: ROUTER_GROUP,
        from: { type: 'earliest' },
      })
      orders = consumer
      writes = new RouterWrites(this.log.writer, this.state, () => consumer.positions(), (batch) => this.noteDurable(batch))
      this.stats.ready = true
      markConnected(this.connectivity)
      const maxBatch = this.options.maxBatch ?? this.log.reader.preferredWriteBatch ?? DEFAULT_MAX_BATCH
      while (!signal.aborted) {
        const failed = writes.takeFailure()
        // The group moved partitions mid-write: the consumer delivers those orders again, go on.
        if (failed !== undefined && !(isTransient(failed.error) && failed.rewound)) throw failed.error
        await this.applyStates(states, 0)
        // As much as one write takes may wait to be written; beyond it, the next write is waited for.
        if (writes.waiting >= maxBatch) {
          await writes.settled()
          continue
        }
        const before = consumer.positions()
        this.notePartitions(before)
        const batch = await consumer.poll({ maxRecords: maxBatch - writes.waiting, maxWaitMs: 50 })
        const epoch = writes.epoch
        await this.rememberOnTakeOver(consumer.positions(), writes)
        if (batch.length === 0) continue
        // A kill confirmed before any of these orders was sent must govern them.
        await this.catchUpStates(states, signal)
        // Stopping before the state is caught up: not decided, not committed, so the next run decides them.
        if (signal.aborted) break
        // A write failed meanwhile and sent the consumer back: this batch comes again.
        if (!writes.isCurrent(batch, epoch)) continue
        this.decide(batch, before, consumer.positions(), writes)
      }
      // What was decided is written before the router stops.
      await writes.drain()
      const failed = writes.takeFailure()
      if (failed !== undefined) throw failed.error
    } finally {
      // Never close the consumer under a write that commits its positions.
      await writes?.close()
      await orders?.close()
      await states.close()
    }
  }

  /**
   * A partition taken over from another router brings that router's recent decisions: read the horizon again
   * before deciding its records, so that a re-send there is still a DUPLICATE.
   */
  private async rememberOnTakeOver(positions: readonly TopicPartitionOffset[], writes: RouterWrites): Promise<void> {
    const held = new Set(positions.map((p) => p.partition))
    // One given away and taken back later comes back with another router's decisions too.
    for (const partition of this.rememberedFor) if (!held.has(partition) && held.size > 0) this.rememberedFor.delete(partition)
    const fresh = [...held].filter((partition) => !this.rememberedFor.has(partition))
    if (fresh.length === 0) return
    const first = !this.assigned
    this.assigned = true
    for (const partition of fresh) this.rememberedFor.add(partition)
    if (first || this.options.rememberFromAudit === false) return
    // The read back confirms what it remembers: nothing of ours may be pending then.
    await writes.drain()
    await this.rememberDecided()
  }

  private notePartitions(positions: readonly TopicPartitionOffset[]): void {
    const partitions = positions.map((p) => p.partition)
    if (partitions.join() !== this.stats.partitions.join()) this.stats.partitions = partitions
  }

  /**
   * Loads every scope's kill state, every limit and every reference price, then follows the three topics from
   * exactly where the reads ended. Nothing is decided before all three are read to their end.
   */
  private async bootstrap(): Promise<Consumer> {
    // From scratch on every (re)start: what changed while the log was away is in the compacted views.
    const [kills, limits, prices] = await Promise.all(ROUTER_STATE_TOPICS.map((topic) => this.log.reader.readCompacted(topic)))
    this.state.load(kills!.records.values())
    this.state.loadLimits(limits!.records.values())
    this.state.loadPrices(prices!.records.values())
    const offsets = [kills!, limits!, prices!].flatMap((view) => view.endOffsets)
    return this.log.reader.consumer({ topics: [...ROUTER_STATE_TOPICS], from: { type: 'offsets', offsets } })
  }

  private async applyStates(states: Consumer, maxWaitMs: number): Promise<void> {
    for (const record of await states.poll({ maxRecords: 1000, maxWaitMs })) this.state.follow(record)
  }

  /**
   * Reads the state topic up to its end as of now. The two topics are fetched independently (on
   * Kafka, by two fetch loops), so an order may arrive before a kill that was confirmed before the
   * order was sent; reading to the end first closes that gap.
   */
  private async catchUpStates(states: Consumer, signal: AbortSignal): Promise<void> {
    const ends = await states.endOffsets()
    const behind = () => {
      const at = new Map(states.positions().map((p) => [`${p.partition}@${p.topic}`, p.offset]))
      return ends.some((end) => (at.get(`${end.partition}@${end.topic}`) ?? -1) < end.offset)
    }
    while (behind() && !signal.aborted) await this.applyStates(states, 20)
  }

  /**
   * What was decided before this (re)start, and on partitions another router held, is remembered: every
   * router audit of the duplicate horizon, read back from audit.v1 before the first order is decided.
   */
  private async rememberDecided(): Promise<void> {
    const started = this.now()
    const from = { type: 'timestamp' as const, timestamp: started - this.duplicateHorizonMs }
    const before = this.state.decided.size
    await readRange(this.log.reader, AUDIT, from, (records) => this.state.rememberFromAudit(records))
    this.state.decided.confirm()
    // Credit is per account and follows the account's partition: the day's orders let through, read afresh.
    const dayStart = { type: 'timestamp' as const, timestamp: this.state.tradingDayStart(started) }
    let fresh = true
    await readRange(this.log.reader, ORDERS_GATED, dayStart, (records) => {
      this.state.restoreSpending(records, started, fresh)
      fresh = false
    })
    if (fresh) this.state.restoreSpending([], started, true)
    this.stats.rememberedAtStart = this.state.decided.size - before
    this.stats.rememberMs = this.now() - started
  }

  /** Decides a batch now and hands it to the writes, which make it durable with the positions past it. */
  private decide(batch: readonly LogRecord[], before: readonly TopicPartitionOffset[], after: readonly TopicPartitionOffset[], writes: RouterWrites): void {
    const ids = this.state.decided.pending
    const steps = this.state.journal.pending
    const routed = this.state.route(batch, this.now(), this.options.onBatch !== undefined)
    writes.add({
      routed,
      orders: batch.length,
      before,
      after,
      ids: this.state.decided.pending - ids,
      steps: this.state.journal.pending - steps,
    })
  }

  private noteDurable({ routed, orders }: DecidedBatch): void {
    this.state.decided.expireBefore(this.now() - this.duplicateHorizonMs)
    this.stats.ordersIn += orders
    this.stats.allowed += routed.allowed
    this.stats.dropped += routed.dropped
    this.stats.duplicates += routed.duplicates
    this.stats.deadLetters += routed.deadLetters.length
    if (routed.auditValues) this.options.onBatch?.(routed.auditValues)
  }
}

/** A router on this log, handed only what it may do: read anything, write its own outputs. */
export function createRouter(log: EventLog, options: RouterOptions = {}): Router {
  return new Router(processorLog(log, ROUTER_OUTPUTS), options)
}

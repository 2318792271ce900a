import type { AuditRecord, Order } from '../contracts/messages.js'
import { orderSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import { decideOrder, KillStateTable, ThrottleMeter } from '../domain/router-decision.js'
import type { Consumer, EventLog, LogRecord, ProduceRecord, TopicPartitionOffset } from '../log/port.js'
import { AUDIT, DEAD_LETTERS, KILL_STATE, ORDERS, ORDERS_GATED } from '../../topologies/topics.js'
import { isTransient, newConnectivity } from './connectivity.js'
import type { Processor } from './processor.js'
import { deadLetter, decodeStateRecord, jsonRecord } from './records.js'
import { rewound } from './rewound.js'
import { markConnected, supervise } from './supervise.js'
import { TentativeIds } from './tentative-ids.js'

export const ROUTER_GROUP = 'riskctl-router'
export const ROUTER_SERVICE = 'router'
/** Orders per atomic write when neither the options nor the log say. */
const DEFAULT_MAX_BATCH = 1000

export interface RouterStats {
  ready: boolean
  ordersIn: number
  allowed: number
  dropped: number
  duplicates: number
  deadLetters: number
  stateRecords: number
  /** The orders.v1 partitions this instance decides; with several routers, each has a share. */
  partitions: readonly number[]
}

export interface RouterOptions {
  readonly maxBatch?: number
  /** Called after each batch is durable, with its audit records; for the status line and tests. */
  readonly onBatch?: (audits: readonly AuditRecord[]) => void
  readonly now?: () => number
}

/**
 * The order router. Fail closed: it reads the compacted state to its end before it decides any
 * order. Then, per batch, it applies state changes first, decides each order against GLOBAL,
 * ACCOUNT, SYMBOL and STRATEGY, and writes the audit records, the allowed orders, the dead
 * letters and its group position in one atomic write: exactly one audit record per order, even
 * across a kill -9.
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
    partitions: [],
  }
  readonly connectivity = newConnectivity()
  /** Rebuilt from the compacted state on every (re)start. */
  table = new KillStateTable()
  private meter = new ThrottleMeter()
  private readonly recentOrderIds = new TentativeIds(200_000)
  private readonly now: () => number

  constructor(
    private readonly log: EventLog,
    private readonly options: RouterOptions = {},
  ) {
    this.now = options.now ?? Date.now
  }

  async run(signal: AbortSignal): Promise<void> {
    await supervise((attempt) => this.attempt(attempt), signal, { connectivity: this.connectivity })
  }

  private async attempt(signal: AbortSignal): Promise<void> {
    const states = await this.bootstrap()
    let orders: Consumer | undefined
    try {
      orders = await this.log.consumer({
        topics: [ORDERS],
        groupId: ROUTER_GROUP,
        from: { type: 'earliest' },
      })
      this.stats.ready = true
      markConnected(this.connectivity)
      while (!signal.aborted) {
        await this.applyStates(states, 0)
        const before = orders.positions()
        this.notePartitions(before)
        const batch = await orders.poll({ maxRecords: this.options.maxBatch ?? this.log.preferredWriteBatch ?? DEFAULT_MAX_BATCH, maxWaitMs: 50 })
        if (batch.length === 0) continue
        // A kill confirmed before any of these orders was sent must govern them.
        await this.catchUpStates(states, signal)
        try {
          await this.route(batch, orders)
        } catch (error) {
          this.recentOrderIds.rollback()
          // The group moved partitions mid-write: the consumer delivers the batch again, go on.
          if (isTransient(error) && rewound(before, orders.positions())) continue
          throw error
        }
      }
    } finally {
      await orders?.close()
      await states.close()
    }
  }

  private notePartitions(positions: readonly TopicPartitionOffset[]): void {
    const partitions = positions.map((p) => p.partition)
    if (partitions.join() !== this.stats.partitions.join()) this.stats.partitions = partitions
  }

  /** Loads every scope's state, then follows the state topic from exactly where the read ended. */
  private async bootstrap(): Promise<Consumer> {
    // From scratch on every (re)start: what changed while the log was away is in the compacted
    // view. The old table stays on show (status line, console) until the new one is complete.
    const view = await this.log.readCompacted(KILL_STATE)
    const table = new KillStateTable()
    for (const record of view.records.values()) this.applyStateRecord(record, table)
    this.table = table
    this.meter = new ThrottleMeter()
    return this.log.consumer({ topics: [KILL_STATE], from: { type: 'offsets', offsets: view.endOffsets } })
  }

  private async applyStates(states: Consumer, maxWaitMs: number): Promise<void> {
    for (const record of await states.poll({ maxRecords: 1000, maxWaitMs })) this.applyStateRecord(record)
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

  private applyStateRecord(record: LogRecord, table = this.table): void {
    const change = decodeStateRecord(record)
    this.stats.stateRecords += 1
    if (change.type === 'state') {
      table.apply(change.state)
      if (change.state.status !== 'THROTTLED') this.meter.forget(change.state.scope)
    } else if (change.type === 'deleted') {
      table.remove(change.scope)
      this.meter.forget(change.scope)
    }
    // An invalid state record cannot be enforced either way; the aggregator never writes one.
  }

  private async route(batch: readonly LogRecord[], orders: Consumer): Promise<void> {
    const now = this.now()
    const audits: ProduceRecord[] = []
    // Kept only for a listener: on the hot path, each audit record exists just long enough to be encoded.
    const auditValues: AuditRecord[] | undefined = this.options.onBatch ? [] : undefined
    const gated: ProduceRecord[] = []
    const dead: ProduceRecord[] = []
    let allowed = 0
    let dropped = 0
    let duplicates = 0
    for (const record of batch) {
      const decoded = decodeJson(orderSchema, record.value)
      if (!decoded.ok) {
        dead.push(deadLetter(record, decoded.error, now))
        continue
      }
      const order: Order = decoded.value
      const decision = decideOrder(order, this.table, this.meter, this.recentOrderIds, now)
      const audit: AuditRecord = {
        ts: now,
        decision: decision.decision,
        order_id: order.order_id,
        account_id: order.account_id,
        symbol: order.symbol,
        strategy: order.strategy,
        scope_matches: decision.scope_matches,
        killswitch_status: decision.killswitch_status,
        reason: decision.reason,
        corr_id: decision.corr_id,
        service: ROUTER_SERVICE,
      }
      auditValues?.push(audit)
      audits.push(jsonRecord(order.order_id, audit, now))
      if (decision.decision === 'ALLOW') {
        allowed += 1
        // The order as it arrived, byte for byte: the router decides, it does not rewrite.
        gated.push({ key: order.account_id, value: record.value, timestamp: record.timestamp })
      } else if (decision.decision === 'DROP') {
        dropped += 1
      } else {
        duplicates += 1
      }
    }
    await this.log.write(
      [
        { topic: AUDIT, records: audits },
        { topic: ORDERS_GATED, records: gated },
        { topic: DEAD_LETTERS, records: dead },
      ],
      { groupId: ROUTER_GROUP, offsets: orders.positions() },
    )
    this.recentOrderIds.confirm()
    this.stats.ordersIn += batch.length
    this.stats.allowed += allowed
    this.stats.dropped += dropped
    this.stats.duplicates += duplicates
    this.stats.deadLetters += dead.length
    if (auditValues) this.options.onBatch?.(auditValues)
  }
}

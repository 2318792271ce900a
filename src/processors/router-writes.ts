import type { LogRecord, ProduceRecord, TopicPartitionOffset } from '../log/port.js'
import { ROUTER_GROUP } from '../../topologies/groups.js'
import { AUDIT, DEAD_LETTERS, ORDERS_GATED, RISK_SIGNALS } from '../../topologies/topics.js'
import type { Outputs, TopicWriter } from './log-access.js'
import { rewound } from './rewound.js'
import type { RoutedBatch } from './router-step.js'

/** The only topics a router writes: never killswitch.state.v1, whose single writer is the aggregator. */
export const ROUTER_OUTPUTS = [AUDIT, ORDERS_GATED, DEAD_LETTERS, RISK_SIGNALS] as const
export type RouterOutput = (typeof ROUTER_OUTPUTS)[number]

/** Everything decided batches write, by topic: one atomic write in every runtime. */
export function routedOutputs(batches: readonly RoutedBatch[]): Outputs<RouterOutput> {
  const records = (pick: (routed: RoutedBatch) => readonly ProduceRecord[]) => batches.flatMap(pick)
  return {
    [AUDIT]: records((r) => r.audits),
    [ORDERS_GATED]: records((r) => r.gated),
    [DEAD_LETTERS]: records((r) => r.deadLetters),
    [RISK_SIGNALS]: records((r) => r.signals),
  }
}

/** What the router decided tentatively: made final once a write is durable, undone when it failed. */
export interface Tentative {
  confirm(ids: number, steps: number): void
  rollback(): void
}

/** One polled batch of orders, decided and waiting to be written with the positions just past it. */
export interface DecidedBatch {
  readonly routed: RoutedBatch
  readonly orders: number
  /** The consumer's positions before and after the batch was polled. */
  readonly before: readonly TopicPartitionOffset[]
  readonly after: readonly TopicPartitionOffset[]
  /** order_ids it added to the remembered set, tentatively. */
  readonly ids: number
  /** Undo steps of what its checks spent (credit, message budget, duplicative window). */
  readonly steps: number
}

export interface WriteFailure {
  readonly error: unknown
  /** Whether the consumer went back to before the first batch that failed: those orders come again. */
  readonly rewound: boolean
}

/**
 * The router's writes, behind its decisions. Deciding an order takes microseconds and writing it a Kafka
 * transaction of several round trips, so the router decides each batch as soon as it is polled (and the
 * state caught up) and this writes everything decided so far in one atomic write with the positions past
 * the last of it, while the router decides the next. A kill reaches the next order's decision without
 * waiting for the write in flight. Writes go one at a time and in order, so the group's commit never
 * passes a decision that is not durable: exactly one audit per order, as before.
 *
 * A failed write takes every decision not yet durable with it: the consumer went back to the last commit
 * (the Kafka adapter does so when a transactional write fails), the remembered order_ids are rolled back,
 * and the router hears of it before it decides anything more.
 */
export class RouterWrites {
  private queue: DecidedBatch[] = []
  private queuedOrders = 0
  private writing: Promise<void> | undefined
  private failed: WriteFailure | undefined
  /** Writes failed so far: a batch polled before one of them is not the consumer's to decide any more. */
  private failures = 0
  private closed = false

  constructor(
    private readonly writer: TopicWriter<RouterOutput>,
    private readonly tentative: Tentative,
    /** The orders consumer's positions now. */
    private readonly positions: () => readonly TopicPartitionOffset[],
    /** After each batch is durable, in order. */
    private readonly onDurable: (batch: DecidedBatch) => void,
  ) {}

  /** Orders decided and not yet in a write under way. */
  get waiting(): number {
    return this.queuedOrders
  }

  /** A write that failed since the last call, once: the router goes on from where the consumer went back, or gives up. */
  takeFailure(): WriteFailure | undefined {
    const failed = this.failed
    this.failed = undefined
    // Decided after the failure, from where the consumer went back: these are good to write.
    if (failed !== undefined) this.writeNext()
    return failed
  }

  /**
   * Where the writes stand, taken as a poll returns: isCurrent() tells from it whether a write failed since. (Not
   * before the poll: one that waits may return records the consumer read again after a failure.)
   */
  get epoch(): number {
    return this.failures
  }

  /**
   * Whether `batch`, polled at `epoch`, is still the consumer's to decide: not if a write failed since (the
   * consumer went back to the last commit, and while it settles there its positions are not known yet), nor if
   * the consumer stands at or before any of its records, in which case they will be polled again.
   */
  isCurrent(batch: readonly LogRecord[], epoch: number): boolean {
    if (epoch !== this.failures) return false
    const at = new Map(this.positions().map((p) => [`${p.partition}@${p.topic}`, p.offset]))
    // A partition's records come in runs in offset order: the last of each run has the highest offset of it.
    for (let i = 0; i < batch.length; i += 1) {
      const record = batch[i]!
      const next = batch[i + 1]
      if (next !== undefined && next.partition === record.partition && next.topic === record.topic) continue
      const position = at.get(`${record.partition}@${record.topic}`)
      // A partition given away since is the group's to sort out: its commit will be refused.
      if (position !== undefined && position <= record.offset) return false
    }
    return true
  }

  add(batch: DecidedBatch): void {
    this.queue.push(batch)
    this.queuedOrders += batch.orders
    this.writeNext()
  }

  /** Resolves once nothing is being written and nothing waits (or a write failed). */
  async drain(): Promise<void> {
    while (this.writing !== undefined) await this.writing
  }

  /** Resolves when the write under way, if any, is over: room for more decisions. */
  async settled(): Promise<void> {
    await this.writing
  }

  /** Starts no more writes; resolves once the one under way is over. What waits is not written. */
  async close(): Promise<void> {
    this.closed = true
    await this.writing
  }

  private writeNext(): void {
    if (this.closed || this.writing !== undefined || this.queue.length === 0 || this.failed !== undefined) return
    const batches = this.queue
    this.queue = []
    this.queuedOrders = 0
    this.writing = this.write(batches).finally(() => {
      this.writing = undefined
      this.writeNext()
    })
  }

  private async write(batches: readonly DecidedBatch[]): Promise<void> {
    try {
      await this.writer.write(routedOutputs(batches.map((b) => b.routed)), {
        groupId: ROUTER_GROUP,
        offsets: batches.at(-1)!.after,
      })
    } catch (error) {
      // Nothing decided since the last commit stands: the consumer is back there, so all of it comes again.
      this.failures += 1
      this.failed = { error, rewound: rewound(batches[0]!.before, this.positions()) }
      this.queue = []
      this.queuedOrders = 0
      this.tentative.rollback()
      return
    }
    this.tentative.confirm(
      batches.reduce((sum, b) => sum + b.ids, 0),
      batches.reduce((sum, b) => sum + b.steps, 0),
    )
    for (const batch of batches) this.onDurable(batch)
  }
}

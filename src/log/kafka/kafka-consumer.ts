import { randomUUID } from 'node:crypto'
import type {
  Admin,
  ConsumerEndBatchProcessEvent,
  ConsumerGroupJoinEvent,
  EachBatchPayload,
  Kafka,
  Consumer as KafkaJsConsumer,
} from 'kafkajs'
import { LogError } from '../errors.js'
import type {
  Consumer,
  ConsumerOptions,
  LogRecord,
  PollOptions,
  StartPosition,
  TopicPartitionOffset,
} from '../port.js'
import { abortableSleep } from '../../abortable-sleep.js'
import { RETRY } from './kafka-client.js'
import { translateKafkaError, unreachable, type ErrorContext } from './kafka-errors.js'
import { toLogRecord } from './record-conversion.js'
import { Signal } from './signal.js'
import { committedOffsets, startOffsets } from './start-positions.js'

/** Above this many records waiting for poll, the fetch loop holds (heartbeating) until poll catches up. */
const BUFFER_HIGH_WATER = 10_000
/**
 * How long the broker may hold an empty fetch. Seeks and resumes take effect at the next fetch,
 * so this bounds how late a fresh assignment starts reading; data arriving ends the wait at once.
 */
const FETCH_MAX_WAIT_MS = 250
/**
 * How long a partition that just moved here waits before reading the group's commit. The previous
 * owner may have a transaction whose offsets were sent just before it rejoined; kafkajs has no
 * KIP-447 (require_stable offset fetch, generation-checked TxnOffsetCommit), so without this pause
 * the new owner could start before that commit lands and decide its records a second time.
 */
const REASSIGNMENT_GRACE_MS = 1000
/**
 * With no fetch answer, heartbeat or group event for this long the broker is taken for gone: poll
 * fails with RISKCTL_BROKER_UNREACHABLE, so a processor says "reconnecting" and starts over instead
 * of waiting silently on kafkajs's retries. Longer than the session timeout, when the group has
 * given the member up anyway.
 */
const SILENCE_MS = 12_000

interface PartitionState {
  readonly topic: string
  readonly partition: number
  /** The next offset poll returns: just past the last record it handed out. */
  position: number
  /** The next offset kafkajs fetches: past everything buffered, and past control records. */
  fetched: number
  /** Records of this partition waiting in the buffer. */
  buffered: number
  /** False until its start position is known and kafkajs has been told to seek there. */
  ready: boolean
}

interface Deps {
  readonly kafka: Kafka
  readonly admin: Admin
  readonly context: ErrorContext
  readonly onClose: (consumer: KafkaConsumer) => void
  /** After every assignment, once the positions are known and fetching has resumed. */
  readonly onSettled?: (consumer: KafkaConsumer) => void
}

const key = (topic: string, partition: number) => `${partition}@${topic}`

/**
 * The port's pull consumer over kafkajs's push runner. kafkajs calls eachBatch with what it
 * fetched; the batch goes into a bounded buffer that poll() takes from, and eachBatch does not
 * return (so kafkajs does not fetch more) while the buffer is over its high-water mark.
 *
 * Positions are riskctl's, not kafkajs's: on every assignment the consumer pauses the assigned
 * partitions, works out where each one starts (the position it already had, else the group's
 * commit, else `from`), seeks kafkajs there and resumes. Anything fetched before that seek is
 * dropped unresolved, so no record is skipped across a rebalance; records still in the buffer are
 * dropped and fetched again from the position poll had reached.
 */
export class KafkaConsumer implements Consumer {
  readonly groupId: string | undefined
  private readonly from: StartPosition
  private states = new Map<string, PartitionState>()
  private readonly buffer: LogRecord[] = []
  private bufferHead = 0
  private generation = 0
  private closed = false
  private failure: LogError | undefined
  private readonly arrived = new Signal()
  private readonly drained = new Signal()
  private settleFirst: { resolve: () => void; reject: (error: LogError) => void } | undefined
  /** Between kafkajs noticing a rebalance and the new assignment: nothing may be committed. */
  private revoking = false
  /** The generation in which poll handed out records that no commit has covered yet. */
  private inFlightGeneration: number | undefined
  /** What this consumer itself last committed per partition: exact, where the broker's answer may lag. */
  private readonly ownCommits = new Map<string, number>()
  private commitInProgress: Promise<void> | undefined
  private lastSignOfLife = Date.now()
  private watchdog: NodeJS.Timeout | undefined

  private constructor(
    private readonly deps: Deps,
    private readonly kafkaConsumer: KafkaJsConsumer,
    options: ConsumerOptions,
  ) {
    this.groupId = options.groupId
    this.from = options.from ?? { type: 'latest' }
  }

  static async open(deps: Deps, options: ConsumerOptions): Promise<KafkaConsumer> {
    // kafkajs consumes only through a group; a consumer without one gets a group of its own that
    // nothing ever commits to, so it is assigned every partition and starts where `from` says.
    const groupId = options.groupId ?? `riskctl-reader-${randomUUID()}`
    const kafkaConsumer = deps.kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      // A crash surfaces as an error from poll(); a silent restart would hide it.
      retry: { ...RETRY, restartOnFailure: async () => false },
    })
    const consumer = new KafkaConsumer(deps, kafkaConsumer, options)
    const firstSettle = new Promise<void>((resolve, reject) => {
      consumer.settleFirst = { resolve, reject }
    })
    // It may fail while run() is still awaited; it is awaited below, so this is not a lost error.
    firstSettle.catch(() => undefined)
    try {
      kafkaConsumer.on(kafkaConsumer.events.GROUP_JOIN, (event) => consumer.onAssignment(event))
      kafkaConsumer.on(kafkaConsumer.events.END_BATCH_PROCESS, (event) => consumer.onBatchProcessed(event))
      kafkaConsumer.on(kafkaConsumer.events.CRASH, (event) => consumer.fail(event.payload.error))
      kafkaConsumer.on(kafkaConsumer.events.REBALANCING, () => consumer.onRebalancing())
      for (const event of [kafkaConsumer.events.FETCH, kafkaConsumer.events.HEARTBEAT]) {
        kafkaConsumer.on(event, () => consumer.alive())
      }
      await kafkaConsumer.connect()
      await kafkaConsumer.subscribe({ topics: [...options.topics], fromBeginning: false })
      await kafkaConsumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => consumer.onBatch(payload),
      })
      await firstSettle
      consumer.watch()
      return consumer
    } catch (error) {
      await kafkaConsumer.disconnect().catch(() => undefined)
      throw consumer.failure ?? translateKafkaError(error, deps.context)
    }
  }

  async poll(options: PollOptions = {}): Promise<LogRecord[]> {
    const maxRecords = Math.max(1, options.maxRecords ?? 1000)
    const deadline = Date.now() + Math.max(0, options.maxWaitMs ?? 100)
    for (;;) {
      if (this.failure) throw this.failure
      if (this.closed) return []
      // Records handed out now could not be committed before the partitions move.
      if (!this.revoking && this.buffer.length > this.bufferHead) {
        this.inFlightGeneration ??= this.generation
        return this.take(maxRecords)
      }
      const remaining = deadline - Date.now()
      if (remaining <= 0) return []
      await this.arrived.wait(remaining)
    }
  }

  async commit(positions?: readonly TopicPartitionOffset[]): Promise<void> {
    if (this.groupId === undefined) {
      throw new LogError('RISKCTL_LOG_FAILURE', 'Only a consumer with a groupId can commit positions.')
    }
    if (this.failure) throw this.failure
    // kafkajs ignores a commit from a stopped consumer; saying nothing would lose it silently.
    if (this.closed)
      throw new LogError('RISKCTL_LOG_CLOSED', 'This consumer is closed; its positions were not committed.')
    const offsets = positions ?? this.positions()
    if (offsets.length === 0) return
    try {
      await this.kafkaConsumer.commitOffsets(
        offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
      )
    } catch (error) {
      throw translateKafkaError(error, this.deps.context)
    }
    this.committed(offsets)
  }

  /**
   * Runs a transaction that commits this consumer's positions. `work` calls the check it is given
   * right before the transaction commits: after a rebalance began, or once the records were polled
   * in an earlier generation, the commit is refused (their partitions may already be another
   * member's). On any failure the consumer goes back to the last commit, so the records of the
   * failed write are polled again and nothing is skipped.
   */
  async commitTransactionally<T>(
    offsets: readonly TopicPartitionOffset[],
    work: (check: () => void) => Promise<T>,
  ): Promise<T> {
    let finished = (): void => undefined
    const previous = this.commitInProgress
    this.commitInProgress = new Promise<void>((resolve) => {
      finished = resolve
    })
    try {
      await previous
      this.checkCommittable(offsets)
      const result = await work(() => this.checkCommittable(offsets))
      this.committed(offsets)
      return result
    } catch (error) {
      this.rewind()
      throw error
    } finally {
      finished()
    }
  }

  private checkCommittable(offsets: readonly TopicPartitionOffset[]): void {
    if (this.failure) throw this.failure
    if (this.closed)
      throw new LogError('RISKCTL_LOG_CLOSED', 'This consumer is closed; nothing was committed.')
    const moved = offsets.some((o) => this.states.get(key(o.topic, o.partition))?.ready !== true)
    const stale = this.inFlightGeneration !== undefined && this.inFlightGeneration !== this.generation
    if (this.revoking || moved || stale) {
      throw new LogError(
        'RISKCTL_LOG_FAILURE',
        'The consumer group rebalanced while these records were being processed; nothing was written, and they will be read again.',
        { retriable: true },
      )
    }
  }

  private committed(offsets: readonly TopicPartitionOffset[]): void {
    for (const o of offsets)
      if (this.states.has(key(o.topic, o.partition))) this.ownCommits.set(key(o.topic, o.partition), o.offset)
    const beyond = [...this.states.values()].some(
      (state) => state.position > (this.ownCommits.get(key(state.topic, state.partition)) ?? -1),
    )
    this.inFlightGeneration = beyond ? this.generation : undefined
  }

  positions(): readonly TopicPartitionOffset[] {
    return [...this.states.values()]
      .filter((state) => state.position >= 0)
      .map((state) => ({ topic: state.topic, partition: state.partition, offset: state.position }))
      .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition)
  }

  async endOffsets(): Promise<TopicPartitionOffset[]> {
    const assigned = [...this.states.values()]
    const topics = [...new Set(assigned.map((state) => state.topic))].sort()
    try {
      const result: TopicPartitionOffset[] = []
      for (const topic of topics) {
        const watermarks = await this.deps.admin.fetchTopicOffsets(topic)
        for (const { partition, high } of watermarks.sort((a, b) => a.partition - b.partition)) {
          if (this.states.has(key(topic, partition))) result.push({ topic, partition, offset: Number(high) })
        }
      }
      return result
    } catch (error) {
      throw translateKafkaError(error, this.deps.context)
    }
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    clearInterval(this.watchdog)
    this.arrived.notify()
    this.drained.notify()
    this.deps.onClose(this)
    // Leaves the group, so the partitions move to the other members at once, not after a timeout.
    await this.kafkaConsumer.disconnect().catch(() => undefined)
  }

  private alive(): void {
    this.lastSignOfLife = Date.now()
  }

  private watch(): void {
    this.alive()
    this.watchdog = setInterval(() => {
      if (this.closed || this.failure || Date.now() - this.lastSignOfLife < SILENCE_MS) return
      this.fail(unreachable(this.deps.context.brokers, `no answer for ${SILENCE_MS / 1000} s`))
    }, 1000)
    this.watchdog.unref()
  }

  private onRebalancing(): void {
    this.alive()
    this.revoking = true
    this.arrived.notify()
  }

  /** Runs synchronously inside kafkajs, after the assignment and before the next fetch. */
  private onAssignment(event: ConsumerGroupJoinEvent): void {
    this.alive()
    this.revoking = false
    const previous = this.states
    const assigned = Object.entries(event.payload.memberAssignment).map(([topic, partitions]) => ({
      topic,
      partitions,
    }))
    const moved = new Set<string>()
    for (const { topic, partitions } of assigned) {
      for (const partition of partitions)
        if (!previous.has(key(topic, partition))) moved.add(key(topic, partition))
    }
    // Only partitions kept throughout may rely on this consumer's own commits.
    for (const slot of [...this.ownCommits.keys()])
      if (moved.has(slot) || !this.holds(assigned, slot)) this.ownCommits.delete(slot)
    // A partition this consumer keeps goes on from where poll got to, not from the last commit.
    this.reset(
      assigned,
      (slot) => {
        const kept = previous.get(slot)
        return kept?.ready ? kept.position : -1
      },
      moved,
    )
  }

  /** Back to the last commit for every assigned partition, after a write that did not commit. */
  private rewind(): void {
    if (this.closed || this.failure) return
    const byTopic = new Map<string, number[]>()
    for (const state of this.states.values())
      byTopic.set(state.topic, [...(byTopic.get(state.topic) ?? []), state.partition])
    this.reset(
      [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
      () => -1,
      new Set(),
    )
  }

  private holds(assigned: readonly { topic: string; partitions: number[] }[], slot: string): boolean {
    return assigned.some(({ topic, partitions }) =>
      partitions.some((partition) => key(topic, partition) === slot),
    )
  }

  private reset(
    assigned: { topic: string; partitions: number[] }[],
    startAt: (slot: string) => number,
    moved: ReadonlySet<string>,
  ): void {
    this.generation += 1
    this.inFlightGeneration = undefined
    const generation = this.generation
    const next = new Map<string, PartitionState>()
    for (const { topic, partitions } of assigned) {
      for (const partition of partitions) {
        const position = startAt(key(topic, partition))
        next.set(key(topic, partition), {
          topic,
          partition,
          position,
          fetched: position,
          buffered: 0,
          ready: false,
        })
      }
    }
    this.states = next
    this.buffer.length = 0
    this.bufferHead = 0
    this.drained.notify()
    if (assigned.length > 0) this.kafkaConsumer.pause(assigned)
    this.settle(generation, assigned, moved).catch((error: unknown) => this.fail(error))
  }

  private async settle(
    generation: number,
    assigned: { topic: string; partitions: number[] }[],
    moved: ReadonlySet<string>,
  ): Promise<void> {
    const missing = [...this.states.values()].filter((state) => state.position < 0)
    const topics = [...new Set(missing.map((state) => state.topic))]
    // A write of ours still committing decides where kept partitions resume: wait for its outcome.
    await this.commitInProgress
    if (this.groupId !== undefined && missing.some((state) => moved.has(key(state.topic, state.partition)))) {
      await abortableSleep(REASSIGNMENT_GRACE_MS)
    }
    if (generation !== this.generation || this.closed) return
    const committed =
      this.groupId === undefined ? new Map() : await committedOffsets(this.deps.admin, this.groupId, topics)
    const starts = new Map<string, number>()
    for (const topic of topics) {
      const uncommitted = missing
        .filter((state) => state.topic === topic && !committed.get(topic)?.has(state.partition))
        .map((state) => state.partition)
      for (const [partition, offset] of await startOffsets(this.deps.admin, topic, uncommitted, this.from)) {
        starts.set(key(topic, partition), offset)
      }
    }
    if (generation !== this.generation || this.closed) return
    for (const state of this.states.values()) {
      if (state.position < 0) {
        const slot = key(state.topic, state.partition)
        const fromGroup = committed.get(state.topic)?.get(state.partition)
        const own = this.ownCommits.get(slot)
        const position =
          own !== undefined || fromGroup !== undefined ? Math.max(own ?? 0, fromGroup ?? 0) : starts.get(slot)
        if (position === undefined) {
          throw new LogError(
            'RISKCTL_LOG_FAILURE',
            `No start offset for ${state.topic} partition ${state.partition}.`,
          )
        }
        state.position = position
      }
      state.fetched = state.position
      this.kafkaConsumer.seek({
        topic: state.topic,
        partition: state.partition,
        offset: String(state.position),
      })
      state.ready = true
    }
    if (assigned.length > 0) this.kafkaConsumer.resume(assigned)
    this.settleFirst?.resolve()
    this.settleFirst = undefined
    this.deps.onSettled?.(this)
  }

  private async onBatch({
    batch,
    resolveOffset,
    heartbeat,
    isRunning,
    isStale,
  }: EachBatchPayload): Promise<void> {
    const state = this.states.get(key(batch.topic, batch.partition))
    // Fetched before this assignment's seek: not resolved, so kafkajs fetches again from the seek.
    if (!state?.ready || isStale() || !isRunning() || this.closed) return
    let added = 0
    for (const message of batch.messages) {
      // Only what lies past what is already buffered; a gap (compaction, retention) is fine.
      if (Number(message.offset) < state.fetched) continue
      this.buffer.push(toLogRecord(batch.topic, batch.partition, message))
      added += 1
    }
    state.buffered += added
    state.fetched = Math.max(state.fetched, Number(batch.lastOffset()) + 1)
    if (state.buffered === 0) state.position = Math.max(state.position, state.fetched)
    resolveOffset(batch.lastOffset())
    this.arrived.notify()
    while (
      this.buffer.length - this.bufferHead > BUFFER_HIGH_WATER &&
      isRunning() &&
      !isStale() &&
      !this.closed
    ) {
      await this.drained.wait(1000)
      await heartbeat()
    }
  }

  /**
   * kafkajs resolves a fetch that held only control records (a transaction's commit marker) or
   * aborted ones without calling eachBatch. Moving past them here keeps positions() equal to the
   * end offsets once everything is read, which is how tail and the audit index know they are done.
   */
  private onBatchProcessed(event: ConsumerEndBatchProcessEvent): void {
    const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload
    const state = this.states.get(key(topic, partition))
    if (batchSize !== 0 || !state?.ready) return
    if (firstOffset !== null && Number(firstOffset) < state.fetched) return
    state.fetched = Math.max(state.fetched, Number(lastOffset) + 1)
    if (state.buffered === 0) state.position = Math.max(state.position, state.fetched)
  }

  private take(maxRecords: number): LogRecord[] {
    const end = Math.min(this.buffer.length, this.bufferHead + maxRecords)
    const records = this.buffer.slice(this.bufferHead, end)
    this.bufferHead = end
    if (this.bufferHead === this.buffer.length) {
      this.buffer.length = 0
      this.bufferHead = 0
    } else if (this.bufferHead > 50_000) {
      this.buffer.splice(0, this.bufferHead)
      this.bufferHead = 0
    }
    for (const record of records) {
      const state = this.states.get(key(record.topic, record.partition))
      if (!state) continue
      state.position = record.offset + 1
      state.buffered -= 1
      if (state.buffered === 0) state.position = Math.max(state.position, state.fetched)
    }
    this.drained.notify()
    return records
  }

  private fail(error: unknown): void {
    const translated = translateKafkaError(error, this.deps.context)
    this.failure ??= translated
    clearInterval(this.watchdog)
    this.settleFirst?.reject(translated)
    this.settleFirst = undefined
    this.arrived.notify()
    this.drained.notify()
  }
}

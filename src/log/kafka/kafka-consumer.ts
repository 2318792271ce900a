import { randomUUID } from 'node:crypto'
import { lookUpOffsets } from './offsets-lookup.js'
import type { Admin, Kafka, Consumer as KafkaJsConsumer } from 'kafkajs'
import type { LogError } from '../errors.js'
import type { Consumer, ConsumerOptions, LogRecord, PollOptions, TopicPartitionOffset } from '../port.js'
import { CommitLedger } from './commit-ledger.js'
import { ConsumerCommits } from './consumer-commits.js'
import { FetchBuffer } from './fetch-buffer.js'
import { RETRY } from './kafka-client.js'
import { translateKafkaError, type ErrorContext } from './kafka-errors.js'
import { PartitionAssignment } from './partition-assignment.js'
import { PartitionStates } from './partition-states.js'
import { SilenceWatchdog } from './silence-watchdog.js'
import { allStartOffsets } from './start-positions.js'

/**
 * How long the broker may hold an empty fetch. Seeks and resumes take effect at the next fetch,
 * so this bounds how late a fresh assignment starts reading; data arriving ends the wait at once.
 */
const FETCH_MAX_WAIT_MS = 250
/**
 * The same for a consumer of no group, which is settled before its first fetch: here the wait only holds up
 * close(), since kafkajs lets its fetch finish before it disconnects, and a command that reads, then closes
 * and exits (riskctl kill, state, tail --no-follow) would otherwise sit out most of 250 ms after its answer.
 */
const READER_FETCH_MAX_WAIT_MS = 50

interface Deps {
  readonly kafka: Kafka
  readonly admin: Admin
  readonly context: ErrorContext
  /** Partitions of a topic that has been checked to exist. */
  readonly partitionCount: (topic: string) => number
  readonly readerGroupPrefix: string
  readonly onClose: (consumer: KafkaConsumer) => void
  /** After every assignment, once the positions are known and fetching has resumed. */
  readonly onSettled?: (consumer: KafkaConsumer) => void
}

/**
 * The port's pull consumer over kafkajs's push runner. kafkajs fills a FetchBuffer that poll()
 * takes from, a PartitionAssignment decides where each assigned partition starts, and
 * ConsumerCommits (remembering in a CommitLedger) commits the positions poll reached. All of them
 * act on kafkajs's events at any moment, so this class owns what they share: the partitions'
 * states and the consumer's lifetime, from opening through the first settled assignment to
 * failure or close.
 */
export class KafkaConsumer implements Consumer {
  readonly groupId: string | undefined
  private readonly status: { closed: boolean; failure: LogError | undefined } = {
    closed: false,
    failure: undefined,
  }
  private readonly states = new PartitionStates()
  private readonly ledger = new CommitLedger(this.states)
  private readonly buffer: FetchBuffer
  private readonly commits: ConsumerCommits
  private readonly assignment: PartitionAssignment
  private readonly watchdog: SilenceWatchdog
  private settleFirst: { resolve: () => void; reject: (error: LogError) => void } | undefined

  private constructor(
    private readonly deps: Deps,
    private readonly kafkaConsumer: KafkaJsConsumer,
    options: ConsumerOptions,
    known: ReadonlyMap<string, number> | undefined,
  ) {
    this.groupId = options.groupId
    const { states, ledger, status } = this
    this.buffer = new FetchBuffer(states, status)
    this.commits = new ConsumerCommits({
      kafkaConsumer,
      context: deps.context,
      groupId: this.groupId,
      states,
      ledger,
      status,
      rewind: () => this.assignment.rewind(),
    })
    this.assignment = new PartitionAssignment({
      kafkaConsumer,
      admin: deps.admin,
      groupId: this.groupId,
      from: options.from ?? { type: 'latest' },
      states,
      buffer: this.buffer,
      commits: this.commits,
      ledger,
      status,
      onSettled: () => this.settled(),
      onFailure: (error) => this.fail(error),
      ...(known === undefined ? {} : { known }),
    })
    this.watchdog = new SilenceWatchdog(deps.context.brokers, status, (error) => this.fail(error))
  }

  static async open(deps: Deps, options: ConsumerOptions): Promise<KafkaConsumer> {
    // kafkajs consumes only through a group; a consumer without one gets a group of its own that
    // nothing ever commits to, so it is assigned every partition and starts where `from` says.
    const groupId = options.groupId ?? `${deps.readerGroupPrefix}${randomUUID()}`
    const kafkaConsumer = deps.kafka.consumer({
      groupId,
      sessionTimeout: 10_000,
      rebalanceTimeout: 30_000,
      heartbeatInterval: 1000,
      maxWaitTimeInMs: options.groupId === undefined ? READER_FETCH_MAX_WAIT_MS : FETCH_MAX_WAIT_MS,
      allowAutoTopicCreation: false,
      readUncommitted: false,
      // A crash surfaces as an error from poll(); a silent restart would hide it.
      retry: { ...RETRY, restartOnFailure: async () => false },
    })
    // A consumer of no group is assigned every partition: its start is looked up while it connects, not after
    // it joins, so that it reads from its first fetch on.
    const from = options.from ?? { type: 'latest' }
    const connecting = kafkaConsumer.connect()
    connecting.catch(() => undefined)
    let known: ReadonlyMap<string, number> | undefined
    try {
      if (options.groupId === undefined) {
        const topics = options.topics.map((topic) => ({ topic, partitions: deps.partitionCount(topic) }))
        known = await allStartOffsets(deps.admin, topics, from)
      }
      await connecting
    } catch (error) {
      await kafkaConsumer.disconnect().catch(() => undefined)
      throw translateKafkaError(error, deps.context)
    }
    const consumer = new KafkaConsumer(deps, kafkaConsumer, options, known)
    const firstSettle = new Promise<void>((resolve, reject) => {
      consumer.settleFirst = { resolve, reject }
    })
    // It may fail while run() is still awaited; it is awaited below, so this is not a lost error.
    firstSettle.catch(() => undefined)
    const { assignment, buffer, watchdog } = consumer
    try {
      kafkaConsumer.on(kafkaConsumer.events.GROUP_JOIN, (event) => {
        watchdog.alive()
        assignment.onAssignment(event)
      })
      kafkaConsumer.on(kafkaConsumer.events.END_BATCH_PROCESS, (event) => buffer.passEmpty(event))
      kafkaConsumer.on(kafkaConsumer.events.CRASH, (event) => consumer.fail(event.payload.error))
      kafkaConsumer.on(kafkaConsumer.events.REBALANCING, () => {
        watchdog.alive()
        assignment.onRebalancing()
      })
      for (const event of [kafkaConsumer.events.FETCH, kafkaConsumer.events.HEARTBEAT]) {
        kafkaConsumer.on(event, () => watchdog.alive())
      }
      await kafkaConsumer.subscribe({ topics: [...options.topics], fromBeginning: false })
      await kafkaConsumer.run({
        autoCommit: false,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: 1,
        eachBatch: (payload) => buffer.fill(payload),
      })
      await firstSettle
      watchdog.start()
      return consumer
    } catch (error) {
      await kafkaConsumer.disconnect().catch(() => undefined)
      throw consumer.status.failure ?? translateKafkaError(error, deps.context)
    }
  }

  async poll(options: PollOptions = {}): Promise<LogRecord[]> {
    const maxRecords = Math.max(1, options.maxRecords ?? 1000)
    const deadline = Date.now() + Math.max(0, options.maxWaitMs ?? 100)
    for (;;) {
      if (this.status.failure) throw this.status.failure
      if (this.status.closed) return []
      // Records handed out now could not be committed before the partitions move.
      if (!this.states.revoking && !this.buffer.isEmpty) {
        this.ledger.handingOut()
        return this.buffer.take(maxRecords)
      }
      const remaining = deadline - Date.now()
      if (remaining <= 0) return []
      await this.buffer.waitForRecords(remaining)
    }
  }

  commit(positions?: readonly TopicPartitionOffset[]): Promise<void> {
    return this.commits.commit(positions)
  }

  /** See ConsumerCommits.transactionally: write() commits a group's positions through this. */
  commitTransactionally<T>(
    offsets: readonly TopicPartitionOffset[],
    work: (check: () => void) => Promise<T>,
  ): Promise<T> {
    return this.commits.transactionally(offsets, work)
  }

  positions(): readonly TopicPartitionOffset[] {
    return this.states.positions()
  }

  async endOffsets(): Promise<TopicPartitionOffset[]> {
    const assigned = [...this.states.values()]
    const topics = [...new Set(assigned.map((state) => state.topic))].sort()
    try {
      const result: TopicPartitionOffset[] = []
      for (const topic of topics) {
        const watermarks = await lookUpOffsets(this.deps.admin, () => this.deps.admin.fetchTopicOffsets(topic))
        for (const { partition, high } of watermarks.sort((a, b) => a.partition - b.partition)) {
          if (this.states.has(topic, partition)) result.push({ topic, partition, offset: Number(high) })
        }
      }
      return result
    } catch (error) {
      throw translateKafkaError(error, this.deps.context)
    }
  }

  async close(): Promise<void> {
    if (this.status.closed) return
    this.status.closed = true
    this.watchdog.stop()
    this.buffer.wakeAll()
    this.deps.onClose(this)
    // Leaves the group, so the partitions move to the other members at once, not after a timeout.
    await this.kafkaConsumer.disconnect().catch(() => undefined)
  }

  private settled(): void {
    this.settleFirst?.resolve()
    this.settleFirst = undefined
    this.deps.onSettled?.(this)
  }

  private fail(error: unknown): void {
    const translated = translateKafkaError(error, this.deps.context)
    this.status.failure ??= translated
    this.watchdog.stop()
    this.settleFirst?.reject(translated)
    this.settleFirst = undefined
    this.buffer.wakeAll()
  }
}

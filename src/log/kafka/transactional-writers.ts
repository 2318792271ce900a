import { createHash } from 'node:crypto'
import { Partitioners, type Kafka, type Producer, type Transaction } from 'kafkajs'
import { abortableSleep } from '../../abortable-sleep.js'
import { LogError } from '../errors.js'
import type { GroupCommit } from '../port.js'
import { transactionalIdPrefix } from '../../../topologies/groups.js'
import { TRANSACTION_SEND_RETRY } from './kafka-client.js'

/**
 * A process rarely writes for more than a couple of (group, assignment) pairs; beyond this, the
 * least recently used goes.
 */
const MAX_WRITERS = 8

interface Writer {
  readonly producer: Producer
  /** kafkajs allows one open transaction per producer: writes through one writer take turns. */
  tail: Promise<unknown>
}

/**
 * Transactional producers for write(batches, commit). The transactional id is derived from the
 * group and the partitions whose positions are committed, so a restarted instance with the same
 * assignment fences the one it replaces (its unfinished transaction is aborted), while several
 * instances of one group, each on its own partitions, do not fence one another.
 */
export class TransactionalWriters {
  /** Kept as promises: a write and a prepare() for the same id share one producer, never race two. */
  private readonly writers = new Map<string, Promise<Writer>>()
  private closed = false

  constructor(private readonly kafka: Kafka) {}

  static transactionalId(commit: GroupCommit): string {
    const partitions = [...commit.offsets]
      .map((o) => `${o.topic}:${o.partition}`)
      .sort()
      .join(',')
    // The prefix is what a broker's ACLs grant per processor: an id outside it would be refused.
    const prefix = transactionalIdPrefix(commit.groupId)
    const id = `${prefix}${partitions}`
    if (id.length <= 200) return id
    return `${prefix}${createHash('sha256').update(partitions).digest('hex').slice(0, 16)}`
  }

  /**
   * Connects the writer for this commit ahead of its first write. Connecting (metadata, the
   * transaction coordinator, InitProducerId) takes longer than a whole transaction, and the first
   * write after an assignment is often the one that matters most: the aggregator's first is the
   * first kill. A failure is left for that write to meet and report.
   */
  async prepare(commit: GroupCommit): Promise<void> {
    if (this.closed || commit.offsets.length === 0) return
    await this.writer(TransactionalWriters.transactionalId(commit)).catch(() => undefined)
  }

  /**
   * Runs `work` inside a transaction of the writer for this commit, committing it if work resolves
   * and `beforeCommit` (the last moment to refuse) does not throw.
   */
  async run<T>(
    commit: GroupCommit,
    work: (transaction: Transaction) => Promise<T>,
    beforeCommit: () => void = () => undefined,
  ): Promise<T> {
    const id = TransactionalWriters.transactionalId(commit)
    const pending = this.writer(id)
    const writer = await pending
    const turn = writer.tail.then(async () => {
      const transaction = await writer.producer.transaction()
      try {
        const result = await work(transaction)
        if (commit.offsets.length > 0) await sendOffsets(transaction, commit)
        beforeCommit()
        await transaction.commit()
        return result
      } catch (error) {
        await transaction.abort().catch(() => undefined)
        // A fenced or confused producer cannot be trusted for another transaction.
        await this.discard(id, pending)
        throw error
      }
    })
    writer.tail = turn.catch(() => undefined)
    return turn
  }

  async close(): Promise<void> {
    this.closed = true
    for (const id of [...this.writers.keys()]) await this.discard(id)
  }

  private writer(id: string): Promise<Writer> {
    const existing = this.writers.get(id)
    if (existing) {
      // Most recently used last, so that the one to go is one that is no longer written through.
      this.writers.delete(id)
      this.writers.set(id, existing)
      return existing
    }
    if (this.writers.size >= MAX_WRITERS) {
      const oldest = this.writers.keys().next().value
      if (oldest !== undefined) void this.discard(oldest)
    }
    const created = this.connect(id)
    this.writers.set(id, created)
    // A failed connect is not kept: the next write tries again.
    created.catch(() => {
      if (this.writers.get(id) === created) this.writers.delete(id)
    })
    return created
  }

  private async connect(id: string): Promise<Writer> {
    const producer = this.kafka.producer({
      transactionalId: id,
      idempotent: true,
      maxInFlightRequests: 1,
      // A transaction takes milliseconds; one left open by a kill -9 holds back every
      // read_committed reader of its topics until the broker aborts it, so not for long.
      transactionTimeout: 10_000,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
      retry: TRANSACTION_SEND_RETRY,
    })
    try {
      await producer.connect()
      // kafkajs sends the transactional InitProducerId at the first transaction(), not at
      // connect(): an empty one (its abort sends nothing) bumps the epoch now, fencing any older
      // holder of this id and aborting what it left open, and leaves the first write only its own
      // requests.
      await (await producer.transaction()).abort()
      if (this.closed) {
        throw new LogError('RISKCTL_LOG_CLOSED', 'The Kafka log was closed while a writer connected.')
      }
    } catch (error) {
      await producer.disconnect().catch(() => undefined)
      throw error
    }
    return { producer, tail: Promise.resolve() }
  }

  /** Disconnects the writer for `id`; with `only`, just if it is still that one and not a newer one. */
  private async discard(id: string, only?: Promise<Writer>): Promise<void> {
    const pending = this.writers.get(id)
    if (pending === undefined || (only !== undefined && pending !== only)) return
    this.writers.delete(id)
    const writer = await pending.catch(() => undefined)
    await writer?.producer.disconnect().catch(() => undefined)
  }
}

/**
 * A transaction that sent no records (the commands it read were all duplicates) opens with
 * AddOffsetsToTxn, which the broker refuses with CONCURRENT_TRANSACTIONS while the previous
 * transaction's markers are still being written, as it does AddPartitionsToTxn. kafkajs retries
 * the one but not the other; without this the write would fail and the processor start over.
 * Nothing was added to the transaction by a refused call, so sending again is safe.
 */
async function sendOffsets(transaction: Transaction, commit: GroupCommit): Promise<void> {
  const { initialRetryTime, maxRetryTime, retries } = TRANSACTION_SEND_RETRY
  let pauseMs: number = initialRetryTime
  for (let attempt = 0; ; attempt += 1) {
    try {
      await transaction.sendOffsets({ consumerGroupId: commit.groupId, topics: groupByTopic(commit) })
      return
    } catch (error) {
      if (attempt >= retries || !isConcurrentTransactions(error)) throw error
      await abortableSleep(pauseMs)
      pauseMs = Math.min(maxRetryTime, pauseMs * 2)
    }
  }
}

function isConcurrentTransactions(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    (error as { type?: unknown }).type === 'CONCURRENT_TRANSACTIONS'
  )
}

function groupByTopic(
  commit: GroupCommit,
): { topic: string; partitions: { partition: number; offset: string }[] }[] {
  const byTopic = new Map<string, { partition: number; offset: string }[]>()
  for (const { topic, partition, offset } of commit.offsets) {
    const partitions = byTopic.get(topic) ?? []
    partitions.push({ partition, offset: String(offset) })
    byTopic.set(topic, partitions)
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions }))
}

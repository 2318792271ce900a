import { createHash } from 'node:crypto'
import { Partitioners, type Kafka, type Producer, type Transaction } from 'kafkajs'
import type { GroupCommit } from '../port.js'

/** A process rarely writes for more than a couple of (group, assignment) pairs; beyond this, the oldest goes. */
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
  private readonly writers = new Map<string, Writer>()

  constructor(private readonly kafka: Kafka) {}

  static transactionalId(commit: GroupCommit): string {
    const partitions = [...commit.offsets]
      .map((o) => `${o.topic}:${o.partition}`)
      .sort()
      .join(',')
    const id = `riskctl-tx-${commit.groupId}-${partitions}`
    if (id.length <= 200) return id
    return `riskctl-tx-${commit.groupId}-${createHash('sha256').update(partitions).digest('hex').slice(0, 16)}`
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
    const writer = await this.writer(id)
    const turn = writer.tail.then(async () => {
      const transaction = await writer.producer.transaction()
      try {
        const result = await work(transaction)
        if (commit.offsets.length > 0) {
          await transaction.sendOffsets({ consumerGroupId: commit.groupId, topics: groupByTopic(commit) })
        }
        beforeCommit()
        await transaction.commit()
        return result
      } catch (error) {
        await transaction.abort().catch(() => undefined)
        // A fenced or confused producer cannot be trusted for another transaction.
        await this.discard(id)
        throw error
      }
    })
    writer.tail = turn.catch(() => undefined)
    return turn
  }

  async close(): Promise<void> {
    for (const id of [...this.writers.keys()]) await this.discard(id)
  }

  private async writer(id: string): Promise<Writer> {
    const existing = this.writers.get(id)
    if (existing) return existing
    if (this.writers.size >= MAX_WRITERS) {
      const oldest = this.writers.keys().next().value
      if (oldest !== undefined) await this.discard(oldest)
    }
    const producer = this.kafka.producer({
      transactionalId: id,
      idempotent: true,
      maxInFlightRequests: 1,
      // A transaction takes milliseconds; one left open by a kill -9 holds back every
      // read_committed reader of its topics until the broker aborts it, so not for long.
      transactionTimeout: 10_000,
      allowAutoTopicCreation: false,
      createPartitioner: Partitioners.DefaultPartitioner,
    })
    // InitProducerId happens here: it bumps the epoch, fencing any older holder of this id.
    await producer.connect()
    const writer: Writer = { producer, tail: Promise.resolve() }
    this.writers.set(id, writer)
    return writer
  }

  private async discard(id: string): Promise<void> {
    const writer = this.writers.get(id)
    if (!writer) return
    this.writers.delete(id)
    await writer.producer.disconnect().catch(() => undefined)
  }
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

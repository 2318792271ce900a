import { Partitioners, type Kafka, type Producer } from 'kafkajs'
import type { GroupCommit, RecordMetadata, TopicBatch } from '../port.js'
import type { KafkaConsumer } from './kafka-consumer.js'
import { assignOffsets, planRequests, topicMessages, type Topology } from './produce-plan.js'
import type { TopicAdmin } from './topic-admin.js'
import { TransactionalWriters } from './transactional-writers.js'

/**
 * The write side of the Kafka log. Keyed records go to murmur2(key) % partitions as with Java
 * clients; appends are idempotent with acks=all and one request in flight, so a retry never
 * duplicates or reorders; a write with a group commit is a Kafka transaction.
 */
export class RecordWriter {
  private readonly writers: TransactionalWriters
  private readonly turns = new Map<string, number>()
  private producer: Promise<Producer> | undefined

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: TopicAdmin,
    /** The consumer in this process whose positions a commit of this group moves, if any. */
    private readonly member: (groupId: string) => KafkaConsumer | undefined,
  ) {
    this.writers = new TransactionalWriters(kafka)
  }

  /** Every batch's topic must have passed requireTopics(): its partition count places the records. */
  async write(batches: readonly TopicBatch[], commit?: GroupCommit): Promise<RecordMetadata[]> {
    const requests = planRequests(batches, this.topology())
    const metadata: RecordMetadata[] = []
    if (commit) {
      const transact = (check: () => void) =>
        this.writers.run(
          commit,
          async (transaction) => {
            for (const request of requests) {
              assignOffsets(
                request,
                await transaction.sendBatch({ topicMessages: topicMessages(request), acks: -1 }),
                metadata,
              )
            }
          },
          check,
        )
      // The group's member in this process vouches that the positions are still its own.
      const member = this.member(commit.groupId)
      await (member ? member.commitTransactionally(commit.offsets, transact) : transact(() => undefined))
    } else if (requests.length > 0) {
      const producer = await this.idempotentProducer()
      for (const request of requests) {
        assignOffsets(
          request,
          await producer.sendBatch({ topicMessages: topicMessages(request), acks: -1 }),
          metadata,
        )
      }
    }
    return metadata
  }

  /** Connects the idempotent producer of plain appends ahead of the first. */
  async prepareProduce(): Promise<void> {
    await this.idempotentProducer()
  }

  /** Connects the transactional writer for this commit ahead of its first write. */
  prepare(commit: GroupCommit): Promise<void> {
    return this.writers.prepare(commit)
  }

  async close(): Promise<void> {
    await this.writers.close()
    const producer = await this.producer?.catch(() => undefined)
    await producer?.disconnect().catch(() => undefined)
  }

  private topology(): Topology {
    return {
      partitionCount: (topic) => this.topics.partitionCount(topic),
      nextPartition: (topic) => {
        const turn = this.turns.get(topic) ?? 0
        this.turns.set(topic, turn + 1)
        return turn % this.topics.partitionCount(topic)
      },
    }
  }

  private idempotentProducer(): Promise<Producer> {
    this.producer ??= (async () => {
      const producer = this.kafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: Partitioners.DefaultPartitioner,
      })
      await producer.connect()
      return producer
    })()
    // A failed connect is not cached: the next produce tries again.
    this.producer.catch(() => {
      this.producer = undefined
    })
    return this.producer
  }
}

import type { Admin, Kafka } from 'kafkajs'
import type { LogError } from '../errors.js'
import type { ConsumerOptions } from '../port.js'
import { KafkaConsumer } from './kafka-consumer.js'
import type { ErrorContext } from './kafka-errors.js'

export interface OpenConsumersDeps {
  readonly kafka: Kafka
  readonly admin: Admin
  readonly context: ErrorContext
  readonly partitionCount: (topic: string) => number
  /** The name every group of a consumer of no group starts with (topologies/groups.ts readerGroupPrefix). */
  readonly readerGroupPrefix: string
  readonly isClosed: () => boolean
  readonly closedError: () => LogError
  /** After each of a consumer's assignments, once its positions are known. */
  readonly onSettled: (consumer: KafkaConsumer) => void
}

/** The consumers the Kafka log opened and has not seen closed: close() closes them all. */
export class OpenConsumers {
  private readonly consumers = new Set<KafkaConsumer>()

  constructor(private readonly deps: OpenConsumersDeps) {}

  async open(options: ConsumerOptions): Promise<KafkaConsumer> {
    const { kafka, admin, context, partitionCount, readerGroupPrefix, onSettled } = this.deps
    const consumer = await KafkaConsumer.open(
      {
        kafka,
        admin,
        // A refusal that comes later, at a fetch, still says what was being read.
        context: { ...context, access: { verb: 'read', topics: options.topics } },
        partitionCount,
        readerGroupPrefix,
        onClose: (closed) => this.consumers.delete(closed),
        onSettled,
      },
      options,
    )
    // Opening takes a group join; a log closed meanwhile would never close this one.
    if (this.deps.isClosed()) {
      await consumer.close()
      throw this.deps.closedError()
    }
    this.consumers.add(consumer)
    return consumer
  }

  /** The group's member in this process, whose positions a write() with a commit moves. */
  member(groupId: string): KafkaConsumer | undefined {
    return [...this.consumers].find((consumer) => consumer.groupId === groupId)
  }

  /** All at once: each waits for its fetch in flight, and one after another they would add up. */
  async closeAll(): Promise<void> {
    await Promise.all([...this.consumers].map((consumer) => consumer.close()))
  }
}

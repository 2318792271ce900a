import type { Admin } from 'kafkajs'
import type { TopicPartitionOffset } from '../port.js'
import { translateKafkaError, type ErrorContext } from './kafka-errors.js'
import { lookUpOffsets } from './offsets-lookup.js'
import { committedOffsets } from './start-positions.js'
import type { Watermarks } from './topic-scan.js'

/**
 * Which topics exist, with their partitions, offsets and the groups' commits, through kafkajs's
 * Admin client. Errors go out untranslated but for a missing topic; the caller adds the context.
 */
export class TopicAdmin {
  /** Partition counts of the topics known to exist; never refreshed, as riskctl adds no partitions. */
  private readonly partitionCounts = new Map<string, number>()

  constructor(
    private readonly admin: Admin,
    private readonly context: ErrorContext,
  ) {}

  async listTopics(): Promise<string[]> {
    // Kafka's own topics (__consumer_offsets, __transaction_state) are not riskctl's.
    return (await this.admin.listTopics()).filter((name) => !name.startsWith('__')).sort()
  }

  /** Fails with RISKCTL_TOPIC_NOT_FOUND at once, where kafkajs would retry an unknown topic for seconds. */
  async requireTopics(topics: readonly string[]): Promise<void> {
    if (topics.every((topic) => this.partitionCounts.has(topic))) return
    const { topics: known } = await this.admin.fetchTopicMetadata()
    for (const { name, partitions } of known) this.partitionCounts.set(name, partitions.length)
    const missing = topics.find((topic) => !this.partitionCounts.has(topic))
    if (missing !== undefined)
      throw translateKafkaError({ type: 'UNKNOWN_TOPIC_OR_PARTITION' }, { ...this.context, topic: missing })
  }

  /** Of a topic requireTopics() has seen. */
  partitionCount(topic: string): number {
    return this.partitionCounts.get(topic) ?? 1
  }

  async watermarks(topic: string): Promise<Watermarks[]> {
    const offsets = await lookUpOffsets(this.admin, () => this.admin.fetchTopicOffsets(topic))
    return offsets
      .map(({ partition, low, high }) => ({ partition, low: Number(low), high: Number(high) }))
      .sort((a, b) => a.partition - b.partition)
  }

  async committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    const committed = (await committedOffsets(this.admin, groupId, [topic])).get(topic) ?? new Map()
    return [...committed].map(([partition, offset]) => ({ topic, partition, offset }))
  }
}

import { Partitioners, type Admin, type Kafka, type Producer } from 'kafkajs'
import type { TopicSpec } from '../../../topologies/topics.js'
import { describeKafkaConnection, type KafkaConnection } from '../../config/kafka-connection.js'
import { LogError } from '../errors.js'
import type {
  CompactedView,
  Consumer,
  ConsumerOptions,
  CreateTopicsResult,
  EventLog,
  GroupCommit,
  LogRecord,
  ProduceRecord,
  RecordMetadata,
  TopicBatch,
  TopicDescription,
  TopicPartitionOffset,
} from '../port.js'
import { createKafka } from './kafka-client.js'
import { KafkaConsumer } from './kafka-consumer.js'
import { translateKafkaError, unreachable, type ErrorContext } from './kafka-errors.js'
import { assignOffsets, planRequests, topicMessages, type Topology } from './produce-plan.js'
import { committedOffsets } from './start-positions.js'
import { scanTopic, type Watermarks } from './topic-scan.js'
import { describeTopicConfigs } from './topic-configs.js'
import { TransactionalWriters } from './transactional-writers.js'

export interface KafkaLogOptions {
  readonly brokers: readonly string[]
  readonly connection: KafkaConnection
  readonly debug?: boolean
}

/** The first contact must answer within this, or the command fails with RISKCTL_BROKER_UNREACHABLE. */
const CONNECT_DEADLINE_MS = 8000

/**
 * The event log on Apache Kafka through kafkajs. Keyed records go to murmur2(key) % partitions as
 * with Java clients; appends are idempotent with acks=all and one request in flight, so a retry
 * never duplicates or reorders; write() with a group commit is a Kafka transaction.
 */
export class KafkaLog implements EventLog {
  readonly description: string
  /** A transaction costs several round trips to the broker, so fewer, larger writes go further. */
  readonly preferredWriteBatch = 5000
  private readonly context: ErrorContext
  private readonly consumers = new Set<KafkaConsumer>()
  private readonly writers: TransactionalWriters
  private readonly partitionCounts = new Map<string, number>()
  private readonly turns = new Map<string, number>()
  private producer: Promise<Producer> | undefined
  private closed = false

  private constructor(
    private readonly kafka: Kafka,
    private readonly admin: Admin,
    options: KafkaLogOptions,
  ) {
    this.description = `Kafka at ${options.brokers.join(',')} (${describeKafkaConnection(options.connection)})`
    this.context = { brokers: options.brokers }
    this.writers = new TransactionalWriters(kafka)
  }

  static async open(options: KafkaLogOptions): Promise<KafkaLog> {
    if (options.brokers.length === 0) {
      throw new LogError(
        'RISKCTL_BROKER_UNREACHABLE',
        'No Kafka brokers given (--brokers or RISKCTL_BROKERS).',
      )
    }
    const kafka = createKafka(options)
    const admin = kafka.admin()
    let timer: NodeJS.Timeout | undefined
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(unreachable(options.brokers, `no answer within ${CONNECT_DEADLINE_MS / 1000}s`)),
        CONNECT_DEADLINE_MS,
      )
    })
    try {
      // Connecting fetches metadata: a broker that is down fails here, not at the first produce.
      await Promise.race([admin.connect(), deadline])
    } catch (error) {
      await admin.disconnect().catch(() => undefined)
      throw translateKafkaError(error, { brokers: options.brokers })
    } finally {
      clearTimeout(timer)
    }
    return new KafkaLog(kafka, admin, options)
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult> {
    return this.guard(undefined, async () => {
      const created: string[] = []
      const existing: string[] = []
      const present = new Set(await this.admin.listTopics())
      const wanted = [...new Map(specs.map((spec) => [spec.name, spec])).values()]
      const missing = wanted.filter((spec) => !present.has(spec.name))
      for (const spec of wanted) if (present.has(spec.name)) existing.push(spec.name)
      if (missing.length === 0) return { created, existing }
      // Three replicas where there are three brokers (MSK), one on a single local broker.
      const { brokers } = await this.admin.describeCluster()
      const replicationFactor = Math.max(1, Math.min(3, brokers.length))
      for (const spec of missing) {
        // One topic per call: kafkajs answers false when a topic already exists, which tells a
        // concurrent `topics create` apart from ours.
        const made = await this.admin.createTopics({
          waitForLeaders: true,
          topics: [
            {
              topic: spec.name,
              numPartitions: spec.partitions,
              replicationFactor,
              configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
            },
          ],
        })
        ;(made ? created : existing).push(spec.name)
      }
      return { created, existing }
    })
  }

  async listTopics(): Promise<string[]> {
    // Kafka's own topics (__consumer_offsets, __transaction_state) are not riskctl's.
    return this.guard(undefined, async () =>
      (await this.admin.listTopics()).filter((name) => !name.startsWith('__')).sort(),
    )
  }

  async describeTopic(topic: string): Promise<TopicDescription> {
    return this.guard(topic, async () => {
      await this.requireTopics([topic])
      const { topics } = await this.admin.fetchTopicMetadata({ topics: [topic] })
      const metadata = topics.find((each) => each.name === topic)
      const watermarks = await this.watermarks(topic)
      const configs = await describeTopicConfigs(this.admin, topic)
      const scan = await scanTopic(this.openConsumer.bind(this), topic, watermarks)
      const partitions = watermarks.map(({ partition, low, high }) => {
        const meta = metadata?.partitions.find((p) => p.partitionId === partition)
        const counted = scan.partitions.get(partition)
        // Past the scan limit the count falls back to offsets: an upper bound once compaction ran.
        const records = scan.truncated ? high - low : (counted?.records ?? 0)
        return {
          partition,
          leader: meta === undefined || meta.leader < 0 ? null : meta.leader,
          replicas: meta?.replicas ?? [],
          startOffset: low,
          endOffset: high,
          records,
          distinctKeys: counted?.keys.size ?? 0,
        }
      })
      return {
        name: topic,
        partitions,
        configs,
        records: partitions.reduce((sum, p) => sum + p.records, 0),
        distinctKeys: partitions.reduce((sum, p) => sum + p.distinctKeys, 0),
      }
    })
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordMetadata[]> {
    return this.write([{ topic, records }])
  }

  async write(batches: readonly TopicBatch[], commit?: GroupCommit): Promise<RecordMetadata[]> {
    const topics = [...new Set(batches.map((batch) => batch.topic))]
    return this.guard(topics.length === 1 ? topics[0] : undefined, async () => {
      // Every topic is checked before anything is sent, so a typo writes nothing at all.
      await this.requireTopics(topics)
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
        const member = [...this.consumers].find((consumer) => consumer.groupId === commit.groupId)
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
    })
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    const topics = options.topics
    return this.guard(topics.length === 1 ? topics[0] : undefined, async () => {
      await this.requireTopics(topics)
      return this.openConsumer(options)
    })
  }

  async prepareCommit(commit: GroupCommit): Promise<void> {
    await this.writers.prepare(commit)
  }

  async committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return this.guard(topic, async () => {
      await this.requireTopics([topic])
      const committed = (await committedOffsets(this.admin, groupId, [topic])).get(topic) ?? new Map()
      return [...committed].map(([partition, offset]) => ({ topic, partition, offset }))
    })
  }

  async readCompacted(topic: string): Promise<CompactedView> {
    return this.guard(topic, async () => {
      await this.requireTopics([topic])
      // The end is fixed first: what is appended while reading belongs to whoever follows the topic.
      const watermarks = await this.watermarks(topic)
      const records = new Map<string, LogRecord>()
      await scanTopic(
        this.openConsumer.bind(this),
        topic,
        watermarks,
        (record) => {
          if (record.key === null) return
          if (record.value === null) records.delete(record.key)
          else records.set(record.key, record)
        },
        Number.POSITIVE_INFINITY,
      )
      return {
        records,
        endOffsets: watermarks.map(({ partition, high }) => ({ topic, partition, offset: high })),
      }
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    for (const consumer of [...this.consumers]) await consumer.close()
    await this.writers.close()
    const producer = await this.producer?.catch(() => undefined)
    await producer?.disconnect().catch(() => undefined)
    await this.admin.disconnect().catch(() => undefined)
  }

  private async openConsumer(options: ConsumerOptions): Promise<KafkaConsumer> {
    const consumer = await KafkaConsumer.open(
      {
        kafka: this.kafka,
        admin: this.admin,
        context: this.context,
        onClose: (closed) => this.consumers.delete(closed),
        onSettled: (settled) => this.prepareWriter(settled),
      },
      options,
    )
    if (this.closed) {
      await consumer.close()
      throw this.closedError()
    }
    this.consumers.add(consumer)
    return consumer
  }

  /** A group's member is whose positions write() commits: its writer can connect before it writes. */
  private prepareWriter(consumer: KafkaConsumer): void {
    if (this.closed || consumer.groupId === undefined) return
    void this.writers.prepare({ groupId: consumer.groupId, offsets: consumer.positions() })
  }

  private async watermarks(topic: string): Promise<Watermarks[]> {
    const offsets = await this.admin.fetchTopicOffsets(topic)
    return offsets
      .map(({ partition, low, high }) => ({ partition, low: Number(low), high: Number(high) }))
      .sort((a, b) => a.partition - b.partition)
  }

  /** Fails with RISKCTL_TOPIC_NOT_FOUND at once, where kafkajs would retry an unknown topic for seconds. */
  private async requireTopics(topics: readonly string[]): Promise<void> {
    if (topics.every((topic) => this.partitionCounts.has(topic))) return
    const { topics: known } = await this.admin.fetchTopicMetadata()
    for (const { name, partitions } of known) this.partitionCounts.set(name, partitions.length)
    const missing = topics.find((topic) => !this.partitionCounts.has(topic))
    if (missing !== undefined)
      throw translateKafkaError({ type: 'UNKNOWN_TOPIC_OR_PARTITION' }, { ...this.context, topic: missing })
  }

  private topology(): Topology {
    return {
      partitionCount: (topic) => this.partitionCounts.get(topic) ?? 1,
      nextPartition: (topic) => {
        const turn = this.turns.get(topic) ?? 0
        this.turns.set(topic, turn + 1)
        return turn % (this.partitionCounts.get(topic) ?? 1)
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

  private closedError(): LogError {
    return new LogError('RISKCTL_LOG_CLOSED', `The ${this.description} is closed.`)
  }

  private async guard<T>(topic: string | undefined, work: () => Promise<T>): Promise<T> {
    if (this.closed) throw this.closedError()
    try {
      return await work()
    } catch (error) {
      throw translateKafkaError(error, topic === undefined ? this.context : { ...this.context, topic })
    }
  }
}

export async function openKafkaLog(options: KafkaLogOptions): Promise<EventLog> {
  return KafkaLog.open(options)
}

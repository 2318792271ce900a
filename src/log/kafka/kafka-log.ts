import type { Admin, Kafka } from 'kafkajs'
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
  ProduceRecord,
  RecordMetadata,
  TopicBatch,
  TopicDescription,
  TopicPartitionOffset,
} from '../port.js'
import { createKafka } from './kafka-client.js'
import type { KafkaConsumer } from './kafka-consumer.js'
import { translateKafkaError, unreachable, type ErrorContext } from './kafka-errors.js'
import { OpenConsumers } from './open-consumers.js'
import { readCompacted } from './read-compacted.js'
import { RecordWriter } from './record-writer.js'
import { TopicAdmin } from './topic-admin.js'
import { createTopics } from './topic-creation.js'
import { describeTopic } from './topic-description.js'
import { readerGroupPrefix } from '../../../topologies/groups.js'

export interface KafkaLogOptions {
  readonly brokers: readonly string[]
  readonly connection: KafkaConnection
  readonly debug?: boolean
}

/** The first contact must answer within this, or the command fails with RISKCTL_BROKER_UNREACHABLE. */
const CONNECT_DEADLINE_MS = 8000

/**
 * The event log on Apache Kafka through kafkajs. The admin side (topic-admin, topic-creation,
 * topic-description) and the data side (record-writer, open-consumers, read-compacted) do the
 * work; every call goes through guard() here, so that it fails with riskctl's errors and none is
 * made once the log is closed.
 */
export class KafkaLog implements EventLog {
  readonly description: string
  /** A transaction costs several round trips to the broker, so fewer, larger writes go further. */
  readonly preferredWriteBatch = 5000
  private readonly context: ErrorContext
  private readonly topics: TopicAdmin
  private readonly writer: RecordWriter
  private readonly consumers: OpenConsumers
  private readonly openConsumer: (options: ConsumerOptions) => Promise<KafkaConsumer>
  private closed = false

  private constructor(
    kafka: Kafka,
    private readonly admin: Admin,
    options: KafkaLogOptions,
  ) {
    this.description = `Kafka at ${options.brokers.join(',')} (${describeKafkaConnection(options.connection)})`
    this.context = errorContext(options)
    this.consumers = new OpenConsumers({
      kafka,
      admin,
      context: this.context,
      partitionCount: (topic) => this.topics.partitionCount(topic),
      // The user the broker authenticates, where there is one: its ACLs may give it readers' groups of its own.
      readerGroupPrefix: readerGroupPrefix(this.context.user),
      isClosed: () => this.closed,
      closedError: () => this.closedError(),
      onSettled: (settled) => this.prepareWriter(settled),
    })
    this.openConsumer = (consumerOptions) => this.consumers.open(consumerOptions)
    this.topics = new TopicAdmin(admin, this.context)
    this.writer = new RecordWriter(kafka, this.topics, (groupId) => this.consumers.member(groupId))
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
      throw translateKafkaError(error, errorContext(options))
    } finally {
      clearTimeout(timer)
    }
    return new KafkaLog(kafka, admin, options)
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult> {
    return this.guard(undefined, () => createTopics(this.admin, specs), { verb: 'create', topics: specs.map((spec) => spec.name) })
  }

  async listTopics(): Promise<string[]> {
    return this.guard(undefined, () => this.topics.listTopics())
  }

  async describeTopic(topic: string): Promise<TopicDescription> {
    return this.guard(topic, async () => {
      await this.topics.requireTopics([topic])
      return describeTopic(this.admin, this.topics, this.openConsumer, topic)
    })
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordMetadata[]> {
    return this.write([{ topic, records }])
  }

  async write(batches: readonly TopicBatch[], commit?: GroupCommit): Promise<RecordMetadata[]> {
    const topics = [...new Set(batches.map((batch) => batch.topic))]
    return this.guard(topics.length === 1 ? topics[0] : undefined, async () => {
      // Every topic is checked before anything is sent, so a typo writes nothing at all.
      await this.topics.requireTopics(topics)
      return this.writer.write(batches, commit)
    }, { verb: 'write to', topics })
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    const topics = options.topics
    return this.guard(topics.length === 1 ? topics[0] : undefined, async () => {
      await this.topics.requireTopics(topics)
      return this.openConsumer(options)
    }, { verb: 'read', topics })
  }

  async endOffsets(topics: readonly string[]): Promise<TopicPartitionOffset[]> {
    return this.guard(topics.length === 1 ? topics[0] : undefined, async () => {
      await this.topics.requireTopics(topics)
      const ends = await Promise.all(
        topics.map(async (topic) => (await this.topics.watermarks(topic)).map(({ partition, high }) => ({ topic, partition, offset: high }))),
      )
      return ends.flat()
    }, { verb: 'read', topics })
  }

  async prepareCommit(commit: GroupCommit): Promise<void> {
    await this.writer.prepare(commit)
  }

  async prepareProduce(): Promise<void> {
    if (this.closed) return
    await this.writer.prepareProduce().catch(() => undefined)
  }

  async committedOffsets(groupId: string, topic: string): Promise<TopicPartitionOffset[]> {
    return this.guard(topic, async () => {
      await this.topics.requireTopics([topic])
      return this.topics.committedOffsets(groupId, topic)
    }, { verb: 'read', topics: [topic] })
  }

  async readCompacted(topic: string): Promise<CompactedView> {
    return this.guard(topic, async () => {
      await this.topics.requireTopics([topic])
      return readCompacted(this.topics, this.openConsumer, topic)
    }, { verb: 'read', topics: [topic] })
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.consumers.closeAll()
    await Promise.all([this.writer.close(), this.admin.disconnect().catch(() => undefined)])
  }

  /** A group's member is whose positions write() commits: its writer can connect before it writes. */
  private prepareWriter(consumer: KafkaConsumer): void {
    if (this.closed || consumer.groupId === undefined) return
    void this.writer.prepare({ groupId: consumer.groupId, offsets: consumer.positions() })
  }

  private closedError(): LogError {
    return new LogError('RISKCTL_LOG_CLOSED', `The ${this.description} is closed.`)
  }

  private async guard<T>(topic: string | undefined, work: () => Promise<T>, access?: ErrorContext['access']): Promise<T> {
    if (this.closed) throw this.closedError()
    try {
      return await work()
    } catch (error) {
      throw translateKafkaError(error, { ...this.context, ...(topic === undefined ? {} : { topic }), ...(access === undefined ? {} : { access }) })
    }
  }
}

function errorContext(options: KafkaLogOptions): ErrorContext {
  const sasl = options.connection.sasl
  // MSK IAM's principal is the AWS role's, which riskctl does not look up.
  return sasl === undefined || sasl.mechanism === 'aws-iam' ? { brokers: options.brokers } : { brokers: options.brokers, user: sasl.username }
}

export async function openKafkaLog(options: KafkaLogOptions): Promise<EventLog> {
  return KafkaLog.open(options)
}

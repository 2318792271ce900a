import { randomUUID } from 'node:crypto'
import type { TopicSpec } from '../../../topologies/topics.js'
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
import { LogError } from '../errors.js'
import { effectiveConfigs } from '../topic-configs.js'
import { ChangeSignal } from './change-signal.js'
import { LogCleaner } from './cleaner.js'
import { checkLogIdentity, prepareDataDir } from './data-dir.js'
import { EmbeddedConsumer } from './embedded-consumer.js'
import { GroupLease } from './group-lease.js'
import { translateSqliteError } from './sqlite-errors.js'
import { logIdentity } from './schema.js'
import { LogStore, writtenMetadata } from './store.js'
import { WriterThread } from './writer-thread.js'
import type { TopicRow } from './topic-catalogue.js'

export interface EmbeddedLogOptions {
  readonly dataDir: string
  /**
   * Run append transactions on a thread of their own (writer-thread.ts), for a process that decides while it
   * writes (a router). Costs a thread and its start; a command that writes once does better without.
   */
  readonly writerThread?: boolean
}

/**
 * The event log with no broker: one SQLite database under the data directory, shared by every
 * riskctl process on the machine. Acknowledged appends are committed transactions, so they
 * survive a kill -9 of the writer; other processes see them within a few milliseconds.
 */
export class EmbeddedLog implements EventLog {
  readonly description: string
  /**
   * A commit costs little here; what grows with the batch is the records kept alive through each
   * young-generation collection, which copies them. Past about a thousand the copying costs more
   * than the commits save (`npm run bench`, router.embedded.*).
   */
  readonly preferredWriteBatch = 1000
  private readonly signal: ChangeSignal
  private readonly cleaner: LogCleaner
  private readonly consumers = new Set<EmbeddedConsumer>()
  private readonly lastCleaned = new Map<number, number>()
  private closed = false

  private constructor(
    readonly dataDir: string,
    private readonly store: LogStore,
    private readonly writer: WriterThread | undefined,
  ) {
    this.description = `embedded log in ${dataDir}`
    this.signal = new ChangeSignal(() => store.dataVersion())
    this.cleaner = new LogCleaner(store.connection, store.reader)
  }

  static open(options: EmbeddedLogOptions): EmbeddedLog {
    const dataDir = prepareDataDir(options.dataDir)
    const { databasePath } = dataDir
    let store: LogStore | undefined
    try {
      store = LogStore.open(databasePath)
      // A directory with a known log must find that very log; one without takes the log's (or a new) identity.
      const stored = logIdentity(store.connection, dataDir.logId === undefined ? randomUUID() : undefined)
      checkLogIdentity(databasePath, dataDir.logId, stored ?? 'none')
      dataDir.seal(stored!)
      return new EmbeddedLog(options.dataDir, store, options.writerThread === true ? new WriterThread(databasePath) : undefined)
    } catch (error) {
      store?.close()
      throw translateSqliteError(error, databasePath)
    }
  }

  async createTopics(specs: readonly TopicSpec[]): Promise<CreateTopicsResult> {
    return this.guard(() => this.store.topics.create(specs))
  }

  async listTopics(): Promise<string[]> {
    return this.guard(() => this.store.topics.names())
  }

  async describeTopic(name: string): Promise<TopicDescription> {
    return this.guard(() => {
      const topic = this.store.topics.get(name)
      // Describing is when a person looks for compaction, so let the cleaner catch up first.
      this.clean(topic, true)
      const partitions = this.store.reader.partitionStats(topic).map((stats) => ({ ...stats, leader: null, replicas: [] }))
      return {
        name: topic.name,
        partitions,
        configs: effectiveConfigs(topic.configs),
        records: partitions.reduce((sum, p) => sum + p.records, 0),
        distinctKeys: partitions.reduce((sum, p) => sum + p.distinctKeys, 0),
      }
    })
  }

  async produce(topic: string, records: readonly ProduceRecord[]): Promise<RecordMetadata[]> {
    return this.write([{ topic, records }])
  }

  async write(batches: readonly TopicBatch[], commit?: GroupCommit): Promise<RecordMetadata[]> {
    let metadata: RecordMetadata[]
    if (this.writer === undefined) {
      metadata = this.guard(() => this.store.write(batches, commit))
    } else {
      const appends = this.guard(() => this.store.prepareWrite(batches))
      const firstOffsets = await this.writer.append(appends, commit).catch((error: unknown) => {
        throw translateSqliteError(error, this.store.path)
      })
      metadata = writtenMetadata(appends, firstOffsets)
    }
    this.signal.notify()
    for (const batch of batches) {
      if (batch.records.length > 0) this.guard(() => this.clean(this.store.topics.get(batch.topic), false))
    }
    return metadata
  }

  async consumer(options: ConsumerOptions): Promise<Consumer> {
    return this.guard(() => {
      this.assertOpen()
      for (const name of options.topics) this.store.topics.get(name)
      const lease = options.groupId === undefined ? undefined : GroupLease.acquire(this.store.connection, options.groupId)
      try {
        const consumer = EmbeddedConsumer.create(
          this.store,
          this.signal,
          options,
          lease,
          (work) => this.guard(work),
          (closed) => this.consumers.delete(closed),
        )
        this.consumers.add(consumer)
        return consumer
      } catch (error) {
        lease?.release()
        throw error
      }
    })
  }

  async committedOffsets(groupId: string, name: string): Promise<TopicPartitionOffset[]> {
    return this.guard(() => {
      const topic = this.store.topics.get(name)
      const offsets: TopicPartitionOffset[] = []
      for (let partition = 0; partition < topic.partitions; partition += 1) {
        const offset = this.store.groups.committed(groupId, topic, partition)
        if (offset !== undefined) offsets.push({ topic: name, partition, offset })
      }
      return offsets
    })
  }

  async endOffsets(names: readonly string[]): Promise<TopicPartitionOffset[]> {
    return this.guard(() => {
      const topics = names.map((name) => this.store.topics.get(name))
      return this.store.snapshot(() =>
        topics.flatMap((topic) =>
          Array.from({ length: topic.partitions }, (_, partition) => ({
            topic: topic.name,
            partition,
            offset: this.store.reader.endOffset(topic, partition),
          })),
        ),
      )
    })
  }

  async readCompacted(name: string): Promise<CompactedView> {
    return this.guard(() => {
      const topic = this.store.topics.get(name)
      return this.store.snapshot(() => {
        const records = new Map<string, LogRecord>()
        const endOffsets: TopicPartitionOffset[] = []
        for (let partition = 0; partition < topic.partitions; partition += 1) {
          const end = this.store.reader.endOffset(topic, partition)
          let position = 0
          while (position < end) {
            const batch = this.store.reader.fetch(topic, partition, position, 5000)
            if (batch.length === 0) break
            for (const record of batch) {
              if (record.key === null) continue
              if (record.value === null) records.delete(record.key)
              else records.set(record.key, record)
            }
            position = batch.at(-1)!.offset + 1
          }
          endOffsets.push({ topic: topic.name, partition, offset: end })
        }
        return { records, endOffsets }
      })
    })
  }

  async close(): Promise<void> {
    if (this.closed) return
    for (const consumer of [...this.consumers]) await consumer.close()
    // The writes under way finish first.
    await this.writer?.close()
    this.closed = true
    this.signal.notify()
    this.store.close()
  }

  private clean(topic: TopicRow, force: boolean): void {
    const now = Date.now()
    const last = this.lastCleaned.get(topic.id) ?? 0
    if (!force && now - last < LogCleaner.intervalMs(topic)) return
    this.lastCleaned.set(topic.id, now)
    this.cleaner.clean(topic, now)
  }

  private assertOpen(): void {
    if (this.closed) throw new LogError('RISKCTL_LOG_CLOSED', `The ${this.description} is closed.`)
  }

  private guard<T>(work: () => T): T {
    this.assertOpen()
    try {
      return work()
    } catch (error) {
      throw translateSqliteError(error, this.store.path)
    }
  }
}

export async function openEmbeddedLog(options: EmbeddedLogOptions): Promise<EmbeddedLog> {
  return EmbeddedLog.open(options)
}

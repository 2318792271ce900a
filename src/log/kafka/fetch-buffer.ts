import type { ConsumerEndBatchProcessEvent, EachBatchPayload } from 'kafkajs'
import type { LogRecord } from '../port.js'
import type { ConsumerStatus } from './consumer-status.js'
import type { PartitionStates } from './partition-states.js'
import { toLogRecord } from './record-conversion.js'
import { Signal } from './signal.js'

/**
 * Above this many records waiting for poll, the fetch loop holds (heartbeating) until poll catches up. One
 * router batch (the log's preferred write batch) is enough to keep poll fed; each record held longer than a
 * write outlives the young generation, and a larger buffer cost a router process some 20–40 MB of peak memory
 * at no gain in throughput (router.kafka.process.* in the bench).
 */
const BUFFER_HIGH_WATER = 5_000
/**
 * Taken records are let go of all at once when poll empties the buffer; one that poll keeps up
 * with but never quite empties would hold on to every record, so past this many they go anyway.
 */
const TAKEN_LIMIT = 5_000

/**
 * Turns kafkajs's push runner into the port's pull: kafkajs calls eachBatch with what it fetched,
 * the batch goes into this bounded buffer that poll() takes from, and eachBatch does not return
 * (so kafkajs does not fetch more) while the buffer is over its high-water mark.
 *
 * Each partition's position follows from the buffer: it moves past a record as poll takes it, and
 * past whatever was skipped (gaps, control records) once none of the partition's records waits.
 */
export class FetchBuffer {
  private readonly records: LogRecord[] = []
  /** The next record poll takes: an index, so taking does not shift the array. */
  private head = 0
  private readonly arrived = new Signal()
  private readonly drained = new Signal()

  constructor(
    private readonly states: PartitionStates,
    private readonly status: ConsumerStatus,
  ) {}

  get isEmpty(): boolean {
    return this.records.length <= this.head
  }

  /** kafkajs's eachBatch. */
  async fill({ batch, resolveOffset, heartbeat, isRunning, isStale }: EachBatchPayload): Promise<void> {
    const state = this.states.get(batch.topic, batch.partition)
    // Fetched before this assignment's seek: not resolved, so kafkajs fetches again from the seek.
    if (!state?.ready || isStale() || !isRunning() || this.status.closed) return
    let added = 0
    for (const message of batch.messages) {
      // Only what lies past what is already buffered; a gap (compaction, retention) is fine.
      if (Number(message.offset) < state.fetched) continue
      this.records.push(toLogRecord(batch.topic, batch.partition, message))
      added += 1
    }
    state.buffered += added
    state.fetched = Math.max(state.fetched, Number(batch.lastOffset()) + 1)
    if (state.buffered === 0) state.position = Math.max(state.position, state.fetched)
    resolveOffset(batch.lastOffset())
    this.arrived.notify()
    while (
      this.records.length - this.head > BUFFER_HIGH_WATER &&
      isRunning() &&
      !isStale() &&
      !this.status.closed
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
  passEmpty(event: ConsumerEndBatchProcessEvent): void {
    const { topic, partition, batchSize, firstOffset, lastOffset } = event.payload
    const state = this.states.get(topic, partition)
    if (batchSize !== 0 || !state?.ready) return
    if (firstOffset !== null && Number(firstOffset) < state.fetched) return
    state.fetched = Math.max(state.fetched, Number(lastOffset) + 1)
    if (state.buffered === 0) state.position = Math.max(state.position, state.fetched)
  }

  take(maxRecords: number): LogRecord[] {
    const end = Math.min(this.records.length, this.head + maxRecords)
    const records = this.records.slice(this.head, end)
    this.head = end
    if (this.head === this.records.length) {
      this.records.length = 0
      this.head = 0
    } else if (this.head > TAKEN_LIMIT) {
      this.records.splice(0, this.head)
      this.head = 0
    }
    for (const record of records) {
      const state = this.states.get(record.topic, record.partition)
      if (!state) continue
      state.position = record.offset + 1
      state.buffered -= 1
      if (state.buffered === 0) state.position = Math.max(state.position, state.fetched)
    }
    this.drained.notify()
    return records
  }

  /** Drops every waiting record: after a reset they are fetched again from the new positions. */
  clear(): void {
    this.records.length = 0
    this.head = 0
    this.drained.notify()
  }

  waitForRecords(timeoutMs: number): Promise<void> {
    return this.arrived.wait(timeoutMs)
  }

  /** Wakes a waiting poll to look again: a rebalance began, or the consumer stopped. */
  wakePoll(): void {
    this.arrived.notify()
  }

  /** Wakes poll and a held fetch loop, both of which must see that the consumer stopped. */
  wakeAll(): void {
    this.arrived.notify()
    this.drained.notify()
  }
}

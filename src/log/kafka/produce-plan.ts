import type { Message, RecordMetadata as KafkaRecordMetadata, TopicMessages } from 'kafkajs'
import { LogError } from '../errors.js'
import { partitionForKey } from '../partitioner.js'
import type { RecordMetadata, TopicBatch } from '../port.js'
import { toKafkaMessage } from './record-conversion.js'

/** One record with the partition chosen for it and its place in the caller's input. */
interface Planned {
  readonly index: number
  readonly topic: string
  readonly partition: number
  readonly message: Message
  readonly bytes: number
}

/**
 * Produce requests stay well under the broker's default message.max.bytes (1 MiB per batch) and
 * small enough that one slow request does not hold everything; several requests in a row keep
 * the order per partition because the producer has one request in flight.
 */
const MAX_RECORDS_PER_REQUEST = 1000
const MAX_BYTES_PER_REQUEST = 512 * 1024

export interface Topology {
  partitionCount(topic: string): number
  /** For keyless records: the next partition in turn, so they spread evenly. */
  nextPartition(topic: string): number
}

/**
 * Chooses every record's partition up front (murmur2 of the key, as Kafka's default partitioner
 * and the embedded log do), so the offsets the broker returns per partition can be handed back in
 * input order, and an invalid partition fails before anything is sent.
 */
export function planRequests(batches: readonly TopicBatch[], topology: Topology): Planned[][] {
  const planned: Planned[] = []
  let index = 0
  for (const { topic, records } of batches) {
    const partitions = topology.partitionCount(topic)
    for (const record of records) {
      const partition =
        record.partition ??
        (record.key === null ? topology.nextPartition(topic) : partitionForKey(record.key, partitions))
      if (!Number.isInteger(partition) || partition < 0 || partition >= partitions) {
        throw new LogError(
          'RISKCTL_PARTITION_INVALID',
          `Partition ${partition} does not exist: topic "${topic}" has partitions 0 to ${partitions - 1}.`,
        )
      }
      const bytes =
        (record.key === null ? 0 : Buffer.byteLength(record.key)) + (record.value?.length ?? 0) + 64
      planned.push({ index, topic, partition, message: toKafkaMessage(record, partition), bytes })
      index += 1
    }
  }
  const requests: Planned[][] = []
  let current: Planned[] = []
  let currentBytes = 0
  for (const each of planned) {
    if (
      current.length > 0 &&
      (current.length >= MAX_RECORDS_PER_REQUEST || currentBytes + each.bytes > MAX_BYTES_PER_REQUEST)
    ) {
      requests.push(current)
      current = []
      currentBytes = 0
    }
    current.push(each)
    currentBytes += each.bytes
  }
  if (current.length > 0) requests.push(current)
  return requests
}

/** One entry per topic: kafkajs groups by partition inside it, keeping each partition's order. */
export function topicMessages(request: readonly Planned[]): TopicMessages[] {
  const byTopic = new Map<string, Message[]>()
  for (const { topic, message } of request) {
    const messages = byTopic.get(topic) ?? []
    messages.push(message)
    byTopic.set(topic, messages)
  }
  return [...byTopic].map(([topic, messages]) => ({ topic, messages }))
}

/** The n-th record sent to a partition in one request got baseOffset + n. */
export function assignOffsets(
  request: readonly Planned[],
  acknowledged: readonly KafkaRecordMetadata[],
  into: RecordMetadata[],
): void {
  const next = new Map<string, number>()
  for (const { topicName, partition, baseOffset } of acknowledged) {
    next.set(`${partition}@${topicName}`, Number(baseOffset))
  }
  for (const { index, topic, partition } of request) {
    const slot = `${partition}@${topic}`
    const offset = next.get(slot)
    if (offset === undefined || !Number.isFinite(offset)) {
      throw new LogError(
        'RISKCTL_LOG_FAILURE',
        `The broker acknowledged no offset for ${topic} partition ${partition}.`,
      )
    }
    into[index] = { topic, partition, offset }
    next.set(slot, offset + 1)
  }
}

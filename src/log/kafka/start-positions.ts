import type { Admin } from 'kafkajs'
import type { StartPosition } from '../port.js'

/** Offsets per partition of one topic. */
export type PartitionOffsets = Map<number, number>

/** Where a partition with no committed position starts, resolved against the broker now. */
export async function startOffsets(
  admin: Admin,
  topic: string,
  partitions: readonly number[],
  from: StartPosition,
): Promise<PartitionOffsets> {
  const result: PartitionOffsets = new Map()
  if (partitions.length === 0) return result
  if (from.type === 'timestamp') {
    // kafkajs answers with the high watermark for a partition with nothing at or after the time.
    const byTime = await admin.fetchTopicOffsetsByTimestamp(topic, from.timestamp)
    for (const { partition, offset } of byTime)
      if (partitions.includes(partition)) result.set(partition, Number(offset))
    return result
  }
  const watermarks = await admin.fetchTopicOffsets(topic)
  for (const { partition, low, high } of watermarks) {
    if (!partitions.includes(partition)) continue
    if (from.type === 'latest') result.set(partition, Number(high))
    else if (from.type === 'earliest') result.set(partition, Number(low))
    else {
      const given = from.offsets.find((o) => o.topic === topic && o.partition === partition)
      result.set(partition, given?.offset ?? Number(low))
    }
  }
  return result
}

/** The group's committed positions; partitions it never committed are absent. */
export async function committedOffsets(
  admin: Admin,
  groupId: string,
  topics: readonly string[],
): Promise<Map<string, PartitionOffsets>> {
  const result = new Map<string, PartitionOffsets>()
  if (topics.length === 0) return result
  const fetched = await admin.fetchOffsets({ groupId, topics: [...topics] })
  for (const { topic, partitions } of fetched) {
    const offsets: PartitionOffsets = new Map()
    for (const { partition, offset } of partitions) {
      const value = Number(offset)
      if (Number.isFinite(value) && value >= 0) offsets.set(partition, value)
    }
    result.set(topic, offsets)
  }
  return result
}

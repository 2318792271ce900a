import type { Admin } from 'kafkajs'
import type { StartPosition } from '../port.js'
import { lookUpOffsets } from './offsets-lookup.js'
import { slotKey } from './partition-states.js'

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
    const byTime = await lookUpOffsets(admin, () => admin.fetchTopicOffsetsByTimestamp(topic, from.timestamp))
    for (const { partition, offset } of byTime)
      if (partitions.includes(partition)) result.set(partition, Number(offset))
    return result
  }
  const watermarks = await lookUpOffsets(admin, () => admin.fetchTopicOffsets(topic))
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

/**
 * Where each partition of these topics starts, by slotKey(), for a consumer of no group: it is assigned every
 * partition, so this can be worked out before it joins. Offsets given in `from` need no request at all.
 */
export async function allStartOffsets(
  admin: Admin,
  topics: readonly { readonly topic: string; readonly partitions: number }[],
  from: StartPosition,
): Promise<Map<string, number>> {
  const result = new Map<string, number>()
  await Promise.all(
    topics.map(async ({ topic, partitions }) => {
      const given = new Map(
        from.type === 'offsets' ? from.offsets.filter((o) => o.topic === topic).map((o) => [o.partition, o.offset]) : [],
      )
      const rest = Array.from({ length: partitions }, (_, partition) => partition).filter((p) => !given.has(p))
      for (const [partition, offset] of given) result.set(slotKey(topic, partition), offset)
      for (const [partition, offset] of await startOffsets(admin, topic, rest, from)) result.set(slotKey(topic, partition), offset)
    }),
  )
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

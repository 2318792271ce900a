/**
 * A record's row id packs (topic, partition, offset) into one integer, so that a partition is one
 * contiguous range of SQLite's rowid B-tree: an append is one insert at the end of the range and a
 * read from a position is one range scan, with no secondary index to maintain. The packing keeps to
 * JavaScript's safe integers: 127 topics, 64 partitions per topic, 2^40 offsets per partition.
 */
export const MAX_TOPICS = 127
export const MAX_PARTITIONS = 64
const OFFSET_SPAN = 2 ** 40

/** The row id of offset 0 of a partition; the partition's rows are [base, base + 2^40). */
export function partitionBase(topicId: number, partition: number): number {
  return (topicId * MAX_PARTITIONS + partition) * OFFSET_SPAN
}

export function partitionEnd(topicId: number, partition: number): number {
  return partitionBase(topicId, partition) + OFFSET_SPAN
}

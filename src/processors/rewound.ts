import type { TopicPartitionOffset } from '../log/port.js'

/**
 * True when the consumer will deliver a failed batch again: no partition it still holds is past
 * where it stood before the batch was polled (the Kafka adapter goes back to the group's commit
 * when a transactional write fails; a partition that moved away is read again by its new owner).
 */
export function rewound(
  before: readonly TopicPartitionOffset[],
  now: readonly TopicPartitionOffset[],
): boolean {
  const start = new Map(before.map((p) => [`${p.partition}@${p.topic}`, p.offset]))
  return now.every((p) => {
    const was = start.get(`${p.partition}@${p.topic}`)
    return was === undefined || p.offset <= was
  })
}

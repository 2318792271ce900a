import { LogError } from '../errors.js'
import type { ProduceRecord } from '../port.js'
import { isCompacted, numericConfig } from '../topic-configs.js'
import type { TopicRow } from './topic-catalogue.js'

/**
 * Throws for the first record the topic refuses, as a broker would. A write checks all its
 * batches before it takes the write lock: a refused record costs no lock and leaves nothing written.
 */
export function validateRecords(topic: TopicRow, records: readonly ProduceRecord[]): void {
  const compacted = isCompacted(topic.configs)
  const maxBytes = numericConfig(topic.configs, 'max.message.bytes')
  for (const record of records) {
    if (compacted && record.key === null) {
      throw new LogError(
        'RISKCTL_RECORD_INVALID',
        `Topic ${topic.name} is compacted: every record needs a key.`,
      )
    }
    if (record.value !== null && record.value.length > maxBytes) {
      throw new LogError(
        'RISKCTL_RECORD_INVALID',
        `A record of ${record.value.length} bytes is larger than ${topic.name}'s max.message.bytes (${maxBytes}).`,
      )
    }
    if (
      record.partition !== undefined &&
      !(Number.isInteger(record.partition) && record.partition >= 0 && record.partition < topic.partitions)
    ) {
      throw new LogError(
        'RISKCTL_PARTITION_INVALID',
        `Partition ${record.partition} does not exist in ${topic.name}; valid partitions are 0 to ${topic.partitions - 1}.`,
      )
    }
  }
}

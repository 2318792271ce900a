import type { CompactedView, Consumer, ConsumerOptions, LogRecord } from '../port.js'
import type { TopicAdmin } from './topic-admin.js'
import { scanTopic } from './topic-scan.js'

/** A compacted topic as its readers see it once compaction has run: the newest record per key. */
export async function readCompacted(
  admin: TopicAdmin,
  open: (options: ConsumerOptions) => Promise<Consumer>,
  topic: string,
): Promise<CompactedView> {
  // The end is fixed first: what is appended while reading belongs to whoever follows the topic.
  const watermarks = await admin.watermarks(topic)
  const records = new Map<string, LogRecord>()
  await scanTopic(
    open,
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
}

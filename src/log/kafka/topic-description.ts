import type { Admin } from 'kafkajs'
import type { Consumer, ConsumerOptions, TopicDescription } from '../port.js'
import type { TopicAdmin } from './topic-admin.js'
import { describeTopicConfigs } from './topic-configs.js'
import { scanTopic } from './topic-scan.js'

/**
 * What `describe-topic` shows of a topic known to exist: each partition's leader, replicas and
 * offsets from the broker, and its records and distinct keys from reading it, since Kafka reports
 * offsets, not records.
 */
export async function describeTopic(
  admin: Admin,
  topics: TopicAdmin,
  open: (options: ConsumerOptions) => Promise<Consumer>,
  topic: string,
): Promise<TopicDescription> {
  const { topics: described } = await admin.fetchTopicMetadata({ topics: [topic] })
  const metadata = described.find((each) => each.name === topic)
  const watermarks = await topics.watermarks(topic)
  const configs = await describeTopicConfigs(admin, topic)
  const scan = await scanTopic(open, topic, watermarks)
  const partitions = watermarks.map(({ partition, low, high }) => {
    const meta = metadata?.partitions.find((p) => p.partitionId === partition)
    const counted = scan.partitions.get(partition)
    // Past the scan limit the count falls back to offsets: an upper bound once compaction ran.
    const records = scan.truncated ? high - low : (counted?.records ?? 0)
    return {
      partition,
      leader: meta === undefined || meta.leader < 0 ? null : meta.leader,
      replicas: meta?.replicas ?? [],
      startOffset: low,
      endOffset: high,
      records,
      distinctKeys: counted?.keys.size ?? 0,
    }
  })
  return {
    name: topic,
    partitions,
    configs,
    records: partitions.reduce((sum, p) => sum + p.records, 0),
    distinctKeys: partitions.reduce((sum, p) => sum + p.distinctKeys, 0),
  }
}

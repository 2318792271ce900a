import kafkajs, { type Admin, type ConfigEntries } from 'kafkajs'
import type { ConfigSource, TopicConfigEntry } from '../port.js'
import { DEFAULT_TOPIC_CONFIGS } from '../topic-configs.js'

/** What `describe-topic` shows on every backend; overrides set on the topic are added to these. */
const REPORTED = Object.keys(DEFAULT_TOPIC_CONFIGS)

// kafkajs is CommonJS and Node's ESM loader does not see these two among its named exports.
const { ConfigResourceTypes, ConfigSource: KafkaConfigSource } = kafkajs

/** The topic's effective configs as the broker reports them, each with where its value comes from. */
export async function describeTopicConfigs(admin: Admin, topic: string): Promise<TopicConfigEntry[]> {
  const response = await admin.describeConfigs({
    resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }],
    includeSynonyms: false,
  })
  const entries = response.resources.flatMap((resource) => resource.configEntries)
  return entries
    .filter((entry) => REPORTED.includes(entry.configName) || sourceOf(entry) === 'TOPIC_CONFIG')
    .map((entry) => ({ name: entry.configName, value: entry.configValue ?? '', source: sourceOf(entry) }))
    .sort((a, b) => order(a.name) - order(b.name) || a.name.localeCompare(b.name))
}

function order(name: string): number {
  const index = REPORTED.indexOf(name)
  return index < 0 ? REPORTED.length : index
}

function sourceOf(entry: ConfigEntries): ConfigSource {
  switch (entry.configSource) {
    case KafkaConfigSource.TOPIC_CONFIG:
      return 'TOPIC_CONFIG'
    case KafkaConfigSource.DYNAMIC_BROKER_CONFIG:
    case KafkaConfigSource.DYNAMIC_DEFAULT_BROKER_CONFIG:
      return 'DYNAMIC_BROKER_CONFIG'
    case KafkaConfigSource.STATIC_BROKER_CONFIG:
      return 'STATIC_BROKER_CONFIG'
    case KafkaConfigSource.DEFAULT_CONFIG:
      return 'DEFAULT_CONFIG'
    default:
      // Old brokers (DescribeConfigs v0) say only whether the value is a default.
      return entry.isDefault ? 'DEFAULT_CONFIG' : 'TOPIC_CONFIG'
  }
}

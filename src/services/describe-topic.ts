import type { EventLog, TopicDescription } from '../log/port.js'
import { requireTopic } from './topic-name.js'

export interface DescribeTopicResult extends TopicDescription {
  readonly key: string
  readonly summary: string
  readonly compacted: boolean
}

export async function describeTopic(log: EventLog, name: string): Promise<DescribeTopicResult> {
  const spec = requireTopic(name)
  const description = await log.describeTopic(spec.name)
  return {
    ...description,
    key: spec.keyField,
    summary: spec.description,
    compacted: description.configs.some((c) => c.name === 'cleanup.policy' && c.value.includes('compact')),
  }
}

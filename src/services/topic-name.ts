import { TOPIC_NAMES, findTopic, type TopicSpec } from '../../topologies/topics.js'
import { badInput } from '../errors.js'

/** Resolves a topic name typed by a person, or fails with the list of valid names. */
export function requireTopic(name: string): TopicSpec {
  const spec = findTopic(name)
  if (spec) return spec
  throw badInput('RISKCTL_TOPIC_UNKNOWN', `Unknown topic "${name}".`, [
    `Valid topics: ${TOPIC_NAMES.join(', ')}`,
  ])
}

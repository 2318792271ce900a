import type { Admin } from 'kafkajs'
import type { TopicSpec } from '../../../topologies/topics.js'
import type { CreateTopicsResult } from '../port.js'

/** Creates the topics of `specs` that do not exist yet, saying which it created and which it found. */
export async function createTopics(admin: Admin, specs: readonly TopicSpec[]): Promise<CreateTopicsResult> {
  const created: string[] = []
  const existing: string[] = []
  const present = new Set(await admin.listTopics())
  const wanted = [...new Map(specs.map((spec) => [spec.name, spec])).values()]
  const missing = wanted.filter((spec) => !present.has(spec.name))
  for (const spec of wanted) if (present.has(spec.name)) existing.push(spec.name)
  if (missing.length === 0) return { created, existing }
  // Three replicas where there are three brokers (MSK), one on a single local broker.
  const { brokers } = await admin.describeCluster()
  const replicationFactor = Math.max(1, Math.min(3, brokers.length))
  for (const spec of missing) {
    // One topic per call: kafkajs answers false when a topic already exists, which tells a
    // concurrent `topics create` apart from ours.
    const made = await admin.createTopics({
      // Waited for below: kafkajs's own wait gives up when the metadata does not know the new topic yet.
      waitForLeaders: false,
      topics: [
        {
          topic: spec.name,
          numPartitions: spec.partitions,
          replicationFactor,
          configEntries: Object.entries(spec.configs).map(([name, value]) => ({ name, value })),
        },
      ],
    })
    ;(made ? created : existing).push(spec.name)
  }
  await untilLed(admin, missing.map((spec) => spec.name))
  return { created, existing }
}

const LEADERS_WAIT_MS = 30_000

/** What a topic that was just created answers while it is still coming up: each only takes time. */
const COMING_UP = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE', 'NOT_LEADER_FOR_PARTITION'])

/** kafkajs may wrap the broker's answer in its retry error. */
function comingUp(error: unknown): boolean {
  for (let link = error as { type?: unknown; originalError?: unknown; cause?: unknown } | undefined, depth = 0; link && depth < 4; depth += 1) {
    if (COMING_UP.has(String(link.type))) return true
    link = (link.originalError ?? link.cause) as typeof link
  }
  return false
}

/**
 * Until every partition of the topics has a leader that answers for it. Just after a create (all the more after a
 * delete of the same name) the broker's metadata may not know a topic yet, or name a leader that has not taken the
 * partition up: a created topic is one its next caller can use at once.
 */
async function untilLed(admin: Admin, topics: readonly string[]): Promise<void> {
  const deadline = Date.now() + LEADERS_WAIT_MS
  for (let pause = 50; ; pause = Math.min(1000, pause * 2)) {
    try {
      const { topics: described } = await admin.fetchTopicMetadata({ topics: [...topics] })
      const led = described.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0))
      if (led) {
        for (const topic of topics) await admin.fetchTopicOffsets(topic)
        return
      }
    } catch (error) {
      if (!comingUp(error)) throw error
    }
    if (Date.now() > deadline) return
    await new Promise((resolve) => setTimeout(resolve, pause))
  }
}

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
      waitForLeaders: true,
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
  return { created, existing }
}

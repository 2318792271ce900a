import { TOPICS } from '../../topologies/topics.js'
import { sharedLog } from './shared-log.js'

/** A CloudFormation custom resource event, as the CDK provider framework passes it on. */
export interface TopicsResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete'
  readonly PhysicalResourceId?: string
}

export interface TopicsResourceResult {
  readonly PhysicalResourceId: string
  readonly Data?: Readonly<Record<string, string>>
}

const PHYSICAL_ID = 'riskctl-topics'

/**
 * Creates the topics on MSK from the same TopicSpecs `riskctl topics create` uses, so the state
 * topic is compacted on AWS exactly as on a laptop. Existing topics are left as they are; on
 * delete nothing is done, since the cluster goes with the stack.
 */
export async function handler(event: TopicsResourceEvent): Promise<TopicsResourceResult> {
  if (event.RequestType === 'Delete') return { PhysicalResourceId: event.PhysicalResourceId ?? PHYSICAL_ID }
  const result = await (await sharedLog()).createTopics(TOPICS)
  return {
    PhysicalResourceId: PHYSICAL_ID,
    Data: { created: result.created.join(','), existing: result.existing.join(',') },
  }
}

import { TOPICS } from '../../topologies/topics.js'
import type { CreateTopicsResult, EventLog } from '../log/port.js'

export interface TopicsCreateResult extends CreateTopicsResult {
  readonly log: string
}

/** Creates every riskctl topic that is missing; running it twice changes nothing. */
export async function createAllTopics(log: EventLog): Promise<TopicsCreateResult> {
  const result = await log.createTopics(TOPICS)
  return { log: log.description, created: result.created, existing: result.existing }
}

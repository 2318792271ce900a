import { KILL_STATE } from '../../topologies/topics.js'
import type { EventLog, StartPosition } from '../log/port.js'
import {
  buildOperatorCommand,
  publishCommand,
  systemContext,
  type CommandContext,
} from '../services/operator-command.js'
import { tailTopics, toTailRecord, type TailRecord } from '../services/tail.js'
import type { PublishOperatorCommand } from './operator-request.js'

/**
 * The live view's only contact with the log, through the port and the services that already
 * read and write it; the components get records and a publish function as props.
 */
export function followTopics(
  log: EventLog,
  topics: readonly string[],
  from: StartPosition,
  signal: AbortSignal,
): AsyncGenerator<TailRecord> {
  return tailTopics(log, { topics, from, follow: true, signal })
}

/** The kill state as it is now, so the header shows kills made before the view started. */
export async function readKillState(log: EventLog): Promise<TailRecord[]> {
  const view = await log.readCompacted(KILL_STATE)
  return [...view.records.values()].map(toTailRecord)
}

/** Kill and unkill from the view take the same path as `riskctl kill`: build, validate, publish. */
export function createOperatorPublisher(
  log: EventLog,
  operator: string,
  context: CommandContext = systemContext,
): PublishOperatorCommand {
  return async (request) => {
    const command = buildOperatorCommand({ ...request, operator }, context)
    const placed = await publishCommand(log, command)
    return `${command.action} ${command.scope} sent as ${operator} (cmd ${command.cmd_id.slice(0, 8)}, ${placed.topic}[${placed.partition}]@${placed.offset})`
  }
}

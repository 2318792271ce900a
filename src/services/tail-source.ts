import { KILL_STATE, OPERATOR_ACTIONS } from '../../topologies/topics.js'
import { localOrigin } from '../processors/operator-trail.js'
import type { KillAction } from '../domain/kill-command.js'
import type { EventLog, StartPosition } from '../log/port.js'
import {
  buildOperatorCommand,
  publishCommand,
  systemContext,
  type CommandContext,
} from '../processors/operator-command.js'
import { tailTopics, toTailRecord, type TailRecord } from './tail.js'

/** Where a view starts reading; the log's own start positions. */
export type TailStart = StartPosition

/** What the view asks an operator's command to do: the rest (operator, ids, time) is added when it is built. */
export interface OperatorRequest {
  readonly action: Extract<KillAction, 'KILL' | 'UNKILL'>
  readonly scope: string
  readonly reason: string
}

/**
 * All a live view needs of the log, as records and one publish function: the TUI never holds the log itself.
 * `riskctl tail` and `riskctl demo run` make one from the log they opened.
 */
export interface TailSource {
  /** The records of these topics from `from` on, until `signal` aborts. */
  follow(topics: readonly string[], from: TailStart, signal: AbortSignal): AsyncGenerator<TailRecord>
  /** The kill state as it is now, so that the header shows kills made before the view started. */
  killState(): Promise<TailRecord[]>
  /** Kill and unkill take the same path as `riskctl kill`: build, validate, publish; says in one line what was sent. */
  publish(request: OperatorRequest): Promise<string>
}

export function createTailSource(
  log: EventLog,
  operator: string,
  context: CommandContext = systemContext,
): TailSource {
  return {
    follow: (topics, from, signal) => tailTopics(log, { topics, from, follow: true, signal }),
    killState: async () => [...(await log.readCompacted(KILL_STATE)).records.values()].map(toTailRecord),
    publish: async (request) => {
      const command = buildOperatorCommand({ ...request, operator }, context)
      const { metadata: placed, trailed } = await publishCommand(log, command, localOrigin('tui'))
      const unrecorded = trailed ? '' : `; not in the operator-action trail: ${OPERATOR_ACTIONS} is missing`
      return `${command.action} ${command.scope} sent as ${operator} (cmd ${command.cmd_id.slice(0, 8)}, ${placed.topic}[${placed.partition}]@${placed.offset})${unrecorded}`
    },
  }
}

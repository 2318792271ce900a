import type { AuditRecord } from '../domain/audit-record.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import { killCommandSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import { applyCommand, commandIdentity } from '../domain/kill-state.js'
import { parseScope } from '../domain/scope.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'
import { AUDIT, KILL_STATE } from '../../topologies/topics.js'
import { deadLetter, encode } from './topic-codec.js'
import type { TentativeIds } from './tentative-ids.js'

export const AGGREGATOR_SERVICE = 'aggregator'

export interface CommandBatchOutput {
  readonly states: ProduceRecord[]
  readonly audits: ProduceRecord[]
  readonly deadLetters: ProduceRecord[]
  readonly applied: [KillState, KillCommand][]
  readonly duplicates: number
  readonly refused: number
}

/**
 * The aggregator's step over one batch of killswitch.commands.v1, the same in every runtime: each command
 * ends in a visible outcome: an audit record that says what became of it (APPLIED, with its state record;
 * DUPLICATE or REFUSED, with why), or a dead letter for a record that is no command. `current` and `memory` move on with it
 * (memory tentatively: confirm it once the outputs are durable).
 */
export function applyCommandBatch(
  current: Map<string, KillState>,
  memory: TentativeIds,
  batch: readonly LogRecord[],
  nowMs: number,
): CommandBatchOutput {
  const output: CommandBatchOutput = {
    states: [],
    audits: [],
    deadLetters: [],
    applied: [],
    duplicates: 0,
    refused: 0,
  }
  const mutable = output as { duplicates: number; refused: number }
  for (const record of batch) {
    const decoded = decodeJson(killCommandSchema, record.value)
    if (!decoded.ok) {
      output.deadLetters.push(deadLetter(record, decoded.error, nowMs))
      continue
    }
    const command = decoded.value
    const outcome = applyCommand(current, (identity) => memory.has(identity), command, nowMs)
    memory.add(commandIdentity(command))
    if (outcome.type === 'applied') {
      current.set(outcome.state.scope, outcome.state)
      output.states.push(encode(KILL_STATE, outcome.state, { timestamp: nowMs }))
      output.applied.push([outcome.state, command])
      const audit = commandAudit(command, 'APPLIED', `now ${outcome.state.status}`, outcome.state, nowMs)
      output.audits.push(encode(AUDIT, audit, { key: command.cmd_id, timestamp: nowMs }))
      continue
    }
    if (outcome.type === 'duplicate') mutable.duplicates += 1
    else mutable.refused += 1
    const decision = outcome.type === 'duplicate' ? 'DUPLICATE' : 'REFUSED'
    const audit = commandAudit(command, decision, outcome.reason, current.get(command.scope), nowMs)
    output.audits.push(encode(AUDIT, audit, { key: command.cmd_id, timestamp: nowMs }))
    // A refusal is also a machine's business: the command was well formed and still not applied.
    if (outcome.type === 'refused')
      output.deadLetters.push(deadLetter(record, `refused: ${outcome.reason}`, nowMs))
  }
  return output
}

/** Remembers the identity of every command in these records: the memory a restart rebuilds from the log. */
export function rememberCommands(memory: TentativeIds, records: readonly LogRecord[]): void {
  for (const record of records) {
    const decoded = decodeJson(killCommandSchema, record.value)
    if (decoded.ok) memory.add(commandIdentity(decoded.value))
  }
}

/** A command that changed nothing still leaves a trace: who asked, for what, and why it was not applied. */
function commandAudit(
  command: KillCommand,
  decision: 'APPLIED' | 'DUPLICATE' | 'REFUSED',
  reason: string,
  state: KillState | undefined,
  nowMs: number,
): AuditRecord {
  const scope = parseScope(command.scope)
  return {
    ts: nowMs,
    decision,
    order_id: '',
    account_id: scope.ok && scope.scope.kind === 'ACCOUNT' ? scope.scope.id : '',
    symbol: scope.ok && scope.scope.kind === 'SYMBOL' ? scope.scope.id : '',
    strategy: scope.ok && scope.scope.kind === 'STRATEGY' ? scope.scope.id : '',
    scope_matches: [command.scope],
    killswitch_status: state?.status ?? 'ACTIVE',
    reason: `${decision} ${command.action} ${command.scope} from ${command.triggered_by}: ${reason}`,
    corr_id: command.corr_id,
    service: AGGREGATOR_SERVICE,
  }
}

import type { AuditRecord } from '../domain/audit-record.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import type { CommandRecord } from '../contracts/commands.js'
import { applyCommand, commandIdentity } from '../domain/kill-state.js'
import { applyLimitsCommand } from '../domain/pretrade/apply-limits.js'
import type { LimitsCommand, LimitsRecord } from '../domain/pretrade/limits-command.js'
import { parseScope } from '../domain/scope.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'
import { AUDIT, KILL_STATE, RISK_LIMITS } from '../../topologies/topics.js'
import { decodeCommand, limitsIdentity } from './command-codec.js'
import { deadLetter, encode } from './topic-codec.js'
import type { TentativeIds } from './tentative-ids.js'

export const AGGREGATOR_SERVICE = 'aggregator'

export interface CommandBatchOutput {
  readonly states: ProduceRecord[]
  /** Records of risk_limits.v1, keyed by scope. */
  readonly limits: ProduceRecord[]
  readonly audits: ProduceRecord[]
  readonly deadLetters: ProduceRecord[]
  readonly applied: [KillState, KillCommand][]
  readonly limitsApplied: [LimitsRecord, LimitsCommand][]
  readonly duplicates: number
  readonly refused: number
}

/**
 * The aggregator's step over one batch of killswitch.commands.v1, the same in every runtime: each command
 * ends in a visible outcome: an audit record that says what became of it (APPLIED, with its state or limits record;
 * DUPLICATE or REFUSED, with why), or a dead letter for a record that is no command. `current`, `limits` and `memory`
 * move on with it (memory tentatively: confirm it once the outputs are durable).
 */
export function applyCommandBatch(
  current: Map<string, KillState>,
  memory: TentativeIds,
  batch: readonly LogRecord[],
  nowMs: number,
  limits: Map<string, LimitsRecord> = new Map(),
): CommandBatchOutput {
  const output: CommandBatchOutput = {
    states: [],
    limits: [],
    audits: [],
    deadLetters: [],
    applied: [],
    limitsApplied: [],
    duplicates: 0,
    refused: 0,
  }
  const mutable = output as { duplicates: number; refused: number }
  for (const record of batch) {
    const decoded = decodeCommand(record)
    if (decoded.type === 'invalid') {
      output.deadLetters.push(deadLetter(record, decoded.error, nowMs))
      continue
    }
    if (decoded.type === 'limits') {
      applyLimits(limits, current, memory, record, decoded.command, nowMs, output)
      continue
    }
    const command = decoded.command
    const outcome = applyCommand(current, (identity) => memory.has(identity), command, nowMs)
    memory.add(commandIdentity(command))
    if (outcome.type === 'applied') {
      current.set(outcome.state.scope, outcome.state)
      output.states.push(encode(KILL_STATE, outcome.state, { timestamp: nowMs }))
      output.applied.push([outcome.state, command])
      const audit = commandAudit(command, 'APPLIED', `now ${outcome.state.status}`, outcome.state.status, nowMs)
      output.audits.push(encode(AUDIT, audit, { key: command.cmd_id, timestamp: nowMs }))
      continue
    }
    if (outcome.type === 'duplicate') mutable.duplicates += 1
    else mutable.refused += 1
    const decision = outcome.type === 'duplicate' ? 'DUPLICATE' : 'REFUSED'
    const audit = commandAudit(command, decision, outcome.reason, current.get(command.scope)?.status, nowMs)
    output.audits.push(encode(AUDIT, audit, { key: command.cmd_id, timestamp: nowMs }))
    // A refusal is also a machine's business: the command was well formed and still not applied.
    if (outcome.type === 'refused')
      output.deadLetters.push(deadLetter(record, `refused: ${outcome.reason}`, nowMs))
  }
  return output
}

/**
 * A limits command against the scope's record: the same outcomes and traces as a kill command's. Loosening is
 * judged by applyLimitsCommand on the command's triggered_by and operator, which only the operator channel sets.
 */
function applyLimits(
  limits: Map<string, LimitsRecord>,
  kills: ReadonlyMap<string, KillState>,
  memory: TentativeIds,
  record: LogRecord,
  command: LimitsCommand,
  nowMs: number,
  output: CommandBatchOutput,
): void {
  const mutable = output as { duplicates: number; refused: number }
  const outcome = applyLimitsCommand(limits.get(command.scope), (cmdId) => memory.has(limitsIdentity(cmdId)), command, nowMs)
  memory.add(limitsIdentity(command.cmd_id))
  const status = kills.get(command.scope)?.status
  if (outcome.type === 'applied') {
    limits.set(outcome.record.scope, outcome.record)
    output.limits.push(encode(RISK_LIMITS, outcome.record, { timestamp: nowMs }))
    output.limitsApplied.push([outcome.record, command])
    output.audits.push(encode(AUDIT, commandAudit(command, 'APPLIED', limitsSummary(outcome.record), status, nowMs), { key: command.cmd_id, timestamp: nowMs }))
    return
  }
  if (outcome.type === 'duplicate') mutable.duplicates += 1
  else mutable.refused += 1
  const decision = outcome.type === 'duplicate' ? 'DUPLICATE' : 'REFUSED'
  output.audits.push(encode(AUDIT, commandAudit(command, decision, outcome.reason, status, nowMs), { key: command.cmd_id, timestamp: nowMs }))
  if (outcome.type === 'refused') output.deadLetters.push(deadLetter(record, `refused: ${outcome.reason}`, nowMs))
}

/** What an applied limits command put in force, for the trail. */
function limitsSummary(record: LimitsRecord): string {
  const expiry = record.expires_ts === undefined ? '' : ` until ${new Date(record.expires_ts).toISOString()}`
  return `now ${JSON.stringify(record.limits)}${expiry}`
}

/** Remembers the identity of every command in these records: the memory a restart rebuilds from the log. */
export function rememberCommands(memory: TentativeIds, records: readonly LogRecord[]): void {
  for (const record of records) {
    const decoded = decodeCommand(record)
    if (decoded.type === 'kill') memory.add(commandIdentity(decoded.command))
    else if (decoded.type === 'limits') memory.add(limitsIdentity(decoded.command.cmd_id))
  }
}

/** A command that changed nothing still leaves a trace: who asked, for what, and why it was not applied. */
function commandAudit(
  command: CommandRecord,
  decision: 'APPLIED' | 'DUPLICATE' | 'REFUSED',
  reason: string,
  status: KillState['status'] | undefined,
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
    killswitch_status: status ?? 'ACTIVE',
    reason: `${decision} ${command.action} ${command.scope} from ${command.triggered_by}: ${reason}`,
    corr_id: command.corr_id,
    service: AGGREGATOR_SERVICE,
  }
}

import type { AuditRecord } from '../domain/audit-record.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import type { CommandRecord } from '../contracts/commands.js'
import { applyCommand, commandIdentity, isoTime } from '../domain/kill-state.js'
import { applyLimitsCommand } from '../domain/pretrade/apply-limits.js'
import type { LimitsCommand, LimitsRecord } from '../domain/pretrade/limits-command.js'
import { parseScope } from '../domain/scope.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'
import { APPROVALS, AUDIT, KILL_STATE, RISK_LIMITS } from '../../topologies/topics.js'
import { approvalIdentity, commandDigest, decodeCommand, limitsIdentity, type DecodedCommand } from './command-codec.js'
import { askerRefusal, cancelledBy, decideApproval, FOUR_EYES_OFF, holdForApproval, needsApproval, type ApprovalCommand, type ApprovalRecord, type FourEyesPolicy } from '../domain/approval.js'
import { deadLetter, encode } from './topic-codec.js'
import { needsVoucher, NO_TRAIL, spentUntil, voucherRefusal, type TrailCoverage, type Vouchers } from '../domain/operator-voucher.js'
import { SpentVouchers } from './spent-vouchers.js'
import type { TentativeIds } from './tentative-ids.js'

export const AGGREGATOR_SERVICE = 'aggregator'

/** The operator-action trail's entries read for a batch, how far back they were read, and the vouchers used. */
export interface TrailRead {
  readonly vouchers: Vouchers
  readonly coverage: TrailCoverage
  readonly spent: SpentVouchers
}

/** What the aggregator's audit says of a command: PENDING for an UNKILL held for a second person's approval. */
type CommandDecision = 'APPLIED' | 'DUPLICATE' | 'REFUSED' | 'PENDING'

export interface CommandBatchOutput {
  readonly states: ProduceRecord[]
  /** Records of killswitch.approvals.v1: requests held, approved, rejected or expired. */
  readonly approvals: ProduceRecord[]
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
  approvals: Map<string, ApprovalRecord> = new Map(),
  policy: FourEyesPolicy = FOUR_EYES_OFF,
  /** The operator-action trail as read for this batch: without it, nothing but a KILL is taken from the operator channel. */
  trail: TrailRead = { vouchers: new Map(), coverage: NO_TRAIL, spent: new SpentVouchers() },
): CommandBatchOutput {
  const output: CommandBatchOutput = {
    states: [],
    approvals: [],
    limits: [],
    audits: [],
    deadLetters: [],
    applied: [],
    limitsApplied: [],
    duplicates: 0,
    refused: 0,
  }
  for (const record of batch) {
    const decoded = decodeCommand(record)
    if (decoded.type === 'invalid') {
      output.deadLetters.push(deadLetter(record, decoded.error, nowMs))
      continue
    }
    // Anything but a KILL without its entry in the operator-action trail is a forgery (or a raw write), whatever source
    // it names. It is remembered as any command is, so that it stays refused (and a re-sent copy a DUPLICATE) after a
    // restart too, which remembers every command on the topic.
    const voucher = checkVoucher(decoded, memory, trail, nowMs)
    if (voucher.type !== 'taken') {
      if (voucher.type === 'refused') memory.add(identityOf(decoded))
      notApplied(output, record, decoded.command, voucher.type === 'spent' ? 'DUPLICATE' : 'REFUSED', voucher.reason, current.get(decoded.command.scope)?.status, nowMs)
      continue
    }
    if (decoded.type === 'limits') {
      applyLimits(limits, current, memory, record, decoded.command, nowMs, output)
      continue
    }
    if (decoded.type === 'approval') {
      answerRequest(current, approvals, memory, record, decoded.command, nowMs, output)
      continue
    }
    const command = decoded.command
    const outcome = applyCommand(current, (identity) => memory.has(identity), command, nowMs)
    memory.add(commandIdentity(command))
    // Any KILL of a scope, applied or already in force, cancels what was held for it: no approval undoes a KILL.
    if (command.action === 'KILL' && outcome.type !== 'refused') {
      for (const cancelled of cancelledBy(approvals.values(), command, nowMs)) settle(approvals, cancelled, current.get(cancelled.scope)?.status, nowMs, output)
    }
    const state = current.get(command.scope)
    if (outcome.type === 'applied' && needsApproval(policy, command, state)) {
      // Four eyes: what would be applied now waits for a second person instead. A request id is used once, and the
      // asker is a named person.
      const refusal = approvals.has(command.cmd_id)
        ? `cmd_id ${command.cmd_id} was a request already (${approvals.get(command.cmd_id)?.status}): a request is asked for once`
        : askerRefusal(command.operator ?? command.triggered_by)
      if (refusal !== undefined) {
        notApplied(output, record, command, 'REFUSED', refusal, state?.status, nowMs)
        continue
      }
      const request = holdForApproval(command, state, policy, nowMs)
      approvals.set(request.request_id, request)
      output.approvals.push(encode(APPROVALS, request, { timestamp: nowMs }))
      const held = `held for a second person's approval until ${isoTime(request.expires_ts)} (request ${request.request_id})`
      output.audits.push(encode(AUDIT, commandAudit(command, 'PENDING', held, state?.status, nowMs), { key: command.cmd_id, timestamp: nowMs }))
      continue
    }
    if (outcome.type === 'applied') {
      applied(current, command, outcome.state, nowMs, output)
      continue
    }
    notApplied(output, record, command, outcome.type === 'duplicate' ? 'DUPLICATE' : 'REFUSED', outcome.reason, current.get(command.scope)?.status, nowMs)
  }
  return output
}

type VoucherCheck = { readonly type: 'taken' } | { readonly type: 'spent' | 'refused'; readonly reason: string }

/**
 * Whether the trail vouches for a command: one that needs no voucher, or was handled before (a DUPLICATE, judged by
 * its own kind), is taken as it is; one taken on a voucher already is spent; one without its entry is refused. A
 * command taken on a voucher here spends it.
 */
function checkVoucher(decoded: Exclude<DecodedCommand, { type: 'invalid' }>, memory: TentativeIds, trail: TrailRead, nowMs: number): VoucherCheck {
  const command = decoded.command
  if (!needsVoucher(command)) return { type: 'taken' }
  const identity = identityOf(decoded)
  // A voucher is used once: a copy of a command taken on one is a DUPLICATE, however full the memory got meanwhile.
  if (trail.spent.has(identity)) return { type: 'spent', reason: `cmd_id ${command.cmd_id} (${command.action} ${command.scope}) was already handled: its voucher is spent` }
  if (memory.has(identity)) return { type: 'taken' }
  const refusal = voucherRefusal(command, commandDigest(command), trail.vouchers, trail.coverage, nowMs)
  if (refusal !== undefined) return { type: 'refused', reason: refusal }
  trail.spent.add(identity, spentUntil(command.ts))
  return { type: 'taken' }
}

/**
 * A well-formed command that changed nothing still leaves a trace: its audit, DUPLICATE or REFUSED with why, and for a
 * refusal a dead letter too (a machine's business: the command was well formed and still not applied).
 */
function notApplied(
  output: CommandBatchOutput,
  record: LogRecord,
  command: CommandRecord,
  decision: 'DUPLICATE' | 'REFUSED',
  reason: string,
  status: KillState['status'] | undefined,
  nowMs: number,
): void {
  const mutable = output as { duplicates: number; refused: number }
  if (decision === 'DUPLICATE') mutable.duplicates += 1
  else mutable.refused += 1
  output.audits.push(encode(AUDIT, commandAudit(command, decision, reason, status, nowMs), { key: command.cmd_id, timestamp: nowMs }))
  if (decision === 'REFUSED') output.deadLetters.push(deadLetter(record, `refused: ${reason}`, nowMs))
}

/** A held request's end (cancelled, expired) onto killswitch.approvals.v1, and REFUSED in the trail under its ids. */
export function settle(approvals: Map<string, ApprovalRecord>, request: ApprovalRecord, status: KillState['status'] | undefined, nowMs: number, output: Pick<CommandBatchOutput, 'approvals' | 'audits'>): void {
  approvals.set(request.request_id, request)
  output.approvals.push(encode(APPROVALS, request, { timestamp: nowMs }))
  const audit = commandAudit(request.command, 'REFUSED', `${request.status}: ${request.decision_reason ?? ''}`, status, nowMs)
  output.audits.push(encode(AUDIT, audit, { key: request.request_id, timestamp: nowMs }))
}

function applied(current: Map<string, KillState>, command: KillCommand, state: KillState, nowMs: number, output: CommandBatchOutput): void {
  current.set(state.scope, state)
  output.states.push(encode(KILL_STATE, state, { timestamp: nowMs }))
  output.applied.push([state, command])
  const audit = commandAudit(command, 'APPLIED', `now ${state.status}`, state.status, nowMs)
  output.audits.push(encode(AUDIT, audit, { key: command.cmd_id, timestamp: nowMs }))
}

/**
 * An APPROVE or REJECT of a held UNKILL. An approved request's UNKILL is applied as it was sent, judged against the
 * state as it is now: a KILL that came after the request is newer than it, so the approval cannot undo that KILL.
 */
function answerRequest(
  current: Map<string, KillState>,
  approvals: Map<string, ApprovalRecord>,
  memory: TentativeIds,
  record: LogRecord,
  command: ApprovalCommand,
  nowMs: number,
  output: CommandBatchOutput,
): void {
  const mutable = output as { duplicates: number; refused: number }
  const handledBefore = memory.has(approvalIdentity(command.cmd_id))
  memory.add(approvalIdentity(command.cmd_id))
  const status = current.get(command.scope)?.status
  // The request's corr_id, whatever the answer carries: the request, its answer and the outcome are one thread.
  const held = approvals.get(command.request_id)
  const threaded = held === undefined ? command : { ...command, corr_id: held.corr_id }
  const audit = (decision: CommandDecision, reason: string, of: CommandRecord = threaded) =>
    output.audits.push(encode(AUDIT, commandAudit(of, decision, reason, current.get(of.scope)?.status ?? status, nowMs), { key: of.cmd_id, timestamp: nowMs }))
  const outcome = handledBefore
    ? ({ type: 'duplicate', reason: `cmd_id ${command.cmd_id} (${command.action} ${command.request_id}) was already handled` } as const)
    : decideApproval(held, command, nowMs, current.get(held?.scope ?? command.scope))
  if (outcome.type === 'duplicate' || outcome.type === 'refused') {
    if (outcome.type === 'duplicate') mutable.duplicates += 1
    else mutable.refused += 1
    audit(outcome.type === 'duplicate' ? 'DUPLICATE' : 'REFUSED', outcome.reason)
    if (outcome.type === 'refused') output.deadLetters.push(deadLetter(record, `refused: ${outcome.reason}`, nowMs))
    return
  }
  approvals.set(outcome.record.request_id, outcome.record)
  output.approvals.push(encode(APPROVALS, outcome.record, { timestamp: nowMs }))
  if (outcome.type === 'expired' || outcome.type === 'cancelled') {
    mutable.refused += 1
    audit('REFUSED', outcome.record.decision_reason ?? `the request is ${outcome.record.status}`)
    return
  }
  if (outcome.type === 'rejected') {
    audit('APPLIED', `request ${command.request_id} rejected`)
    audit('REFUSED', `rejected by ${command.operator ?? command.triggered_by}: ${command.reason}`, outcome.record.command)
    return
  }
  const request = outcome.record.command
  // Its own memory entry is the request's: judged afresh here, against the state as it is now.
  const unkill = applyCommand(current, () => false, request, nowMs)
  audit('APPLIED', `request ${command.request_id} approved`)
  if (unkill.type === 'applied') {
    applied(current, request, { ...unkill.state, reason: `${unkill.state.reason} (approved by ${command.operator ?? '?'})` }, nowMs, output)
    return
  }
  mutable.refused += 1
  audit('REFUSED', `approved, and still not applied: ${unkill.reason}`, request)
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
  notApplied(output, record, command, outcome.type === 'duplicate' ? 'DUPLICATE' : 'REFUSED', outcome.reason, status, nowMs)
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
    if (decoded.type !== 'invalid') memory.add(identityOf(decoded))
  }
}

/** What the memory of handled commands keeps of a command: what makes a second one the same. */
export function identityOf(decoded: Exclude<DecodedCommand, { type: 'invalid' }>): string {
  switch (decoded.type) {
    case 'kill':
      return commandIdentity(decoded.command)
    case 'limits':
      return limitsIdentity(decoded.command.cmd_id)
    case 'approval':
      return approvalIdentity(decoded.command.cmd_id)
  }
}

/** A command that changed nothing still leaves a trace: who asked, for what, and why it was not applied. */
function commandAudit(
  command: CommandRecord,
  decision: CommandDecision,
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

import { killStateSchema } from '../contracts/messages.js'
import { limitsRecordSchema } from '../contracts/risk-limits.js'
import { decodeJson } from '../contracts/decode.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { LimitsCommand, LimitsRecord } from '../domain/pretrade/limits-command.js'
import { mayReplace } from '../domain/kill-state.js'
import { formatScope, parseScope } from '../domain/scope.js'
import type { KillState } from '../domain/kill-status.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'
import { KILL_COMMANDS, KILL_STATE, RISK_LIMITS } from '../../topologies/topics.js'
import { applyCommandBatch, identityOf, rememberCommands, settle } from './aggregator-step.js'
import { approvalRecordSchema } from '../contracts/approvals.js'
import { expiredRequests, FOUR_EYES_OFF, type ApprovalRecord, type FourEyesPolicy } from '../domain/approval.js'
import { commandDigest, decodeCommand, limitsIdentity } from './command-codec.js'
import { dueReverts } from './limits-expiry.js'
import { TentativeIds } from './tentative-ids.js'
import { operatorActionSchema } from '../contracts/operator-actions.js'
import { isVouched, NO_TRAIL, needsVoucher, spentUntil, trailReadFrom, type TrailCoverage, type Voucher } from '../domain/operator-voucher.js'
import { SpentVouchers } from './spent-vouchers.js'
import { deadLetter, decodeStateRecord, encode } from './topic-codec.js'

/** What one step of the aggregator writes, atomically with its group's position. */
export interface AggregatorOutputs {
  readonly states: readonly ProduceRecord[]
  /** Records of killswitch.approvals.v1: held UNKILLs, and what became of them. */
  readonly approvals: readonly ProduceRecord[]
  /** Records of risk_limits.v1. */
  readonly limits: readonly ProduceRecord[]
  /** REVERT_LIMITS commands for killswitch.commands.v1, for temporary changes that expired. */
  readonly reverts: readonly ProduceRecord[]
  readonly audits: readonly ProduceRecord[]
  readonly deadLetters: readonly ProduceRecord[]
  readonly applied: readonly (readonly [KillState, KillCommand])[]
  readonly limitsApplied: readonly (readonly [LimitsRecord, LimitsCommand])[]
  readonly duplicates: number
  readonly refused: number
  /** State records it found that it had not written, replaced and dead-lettered. */
  readonly repaired: number
}

/**
 * Trail entries kept at most: each is read for a command on its way, so the oldest are of commands long handled. One
 * evicted before its command came is not read again: the command is refused (it fails closed), and is sent again.
 */
const MAX_VOUCHERS = 100_000

interface StateRepair {
  readonly record: LogRecord
  readonly problem: string
  /** The state the routers enforce for it; undefined when it names no scope. */
  readonly state: KillState | undefined
}

/**
 * What the aggregator knows, without any I/O: every scope's current state, the commands it has handled, and the
 * state records it must repair. The long-running aggregator, the Lambda handler and the test driver all hold one.
 */
export class AggregatorState {
  private readonly current = new Map<string, KillState>()
  private readonly limits = new Map<string, LimitsRecord>()
  /** Held UNKILLs (four eyes) by request_id, as killswitch.approvals.v1 has them. */
  private readonly approvals = new Map<string, ApprovalRecord>()
  private readonly memory = new TentativeIds(1_000_000)
  /** The REVERTs written and not yet read back: asked for once, whatever happens before they are applied. */
  private readonly revertsAsked = new TentativeIds(100_000)
  private repairs: StateRepair[] = []
  /** ALLOWED entries of operator_actions.v1 by cmd_id: what vouches for a command from the operator channel. */
  private readonly vouchers = new Map<string, Voucher[]>()
  /** Commands taken on a voucher, each spent until no voucher could vouch for a copy. */
  private readonly spent = new SpentVouchers()

  constructor(private readonly policy: FourEyesPolicy = FOUR_EYES_OFF) {}

  /** From the compacted state topic. Whole records first: a bad record beside a good one is repaired, not enforced. */
  load(records: Iterable<LogRecord>): void {
    this.current.clear()
    this.memory.rollback()
    this.repairs = []
    const changes = [...records].map((record) => ({ record, change: decodeStateRecord(record) }))
    for (const { change } of changes) if (change.type === 'state' && change.problem === undefined) this.current.set(change.state.scope, change.state)
    for (const { record, change } of changes) this.follow(record, change)
  }

  /**
   * From the compacted risk_limits.v1: each scope's limits, as the aggregator wrote them. A record that is not one
   * is left out: the scope then has no limits of its own here, so nothing it sets can pass for a tightening of it.
   */
  loadLimits(records: Iterable<LogRecord>): void {
    this.limits.clear()
    this.revertsAsked.rollback()
    for (const record of records) this.followLimits(record)
  }

  /**
   * From the compacted killswitch.approvals.v1, which only the aggregator writes. A record that is not one is left
   * out: a request nobody can read cannot be approved, so its UNKILL is never applied (it fails closed).
   */
  loadApprovals(records: Iterable<LogRecord>): void {
    this.approvals.clear()
    for (const record of records) {
      if (record.value === null) continue
      const decoded = decodeJson(approvalRecordSchema, record.value)
      // Only a record whose command is the request it names: anything else could smuggle in another command.
      const request = decoded.ok ? decoded.value : undefined
      if (request === undefined || request.request_id !== record.key) continue
      if (request.command.cmd_id !== request.request_id || request.command.scope !== request.scope || request.command.action !== request.action) continue
      this.approvals.set(request.request_id, request)
    }
  }

  /** The held requests, as this aggregator knows them (newest first). */
  approvalRecords(): ApprovalRecord[] {
    return [...this.approvals.values()].sort((a, b) => b.requested_ts - a.requested_ts)
  }

  /**
   * The commands handled before (read back from killswitch.commands.v1): a re-sent one is a duplicate. Those the
   * trail read so far vouches for (read it first, from the lookback) are spent vouchers again.
   */
  remember(records: readonly LogRecord[], nowMs: number): void {
    rememberCommands(this.memory, records)
    this.memory.confirm()
    for (const record of records) {
      const decoded = decodeCommand(record)
      if (decoded.type === 'invalid' || !needsVoucher(decoded.command) || spentUntil(decoded.command.ts) < nowMs) continue
      if (isVouched(decoded.command, commandDigest(decoded.command), this.vouchers, nowMs)) this.spent.remember(identityOf(decoded), spentUntil(decoded.command.ts))
    }
  }

  /**
   * The commands written but not handled yet (past the group's commit): a REVERT among them was asked for before
   * a restart, and is not asked for again while it waits to be read.
   */
  rememberPending(records: readonly LogRecord[]): void {
    for (const record of records) {
      const decoded = decodeCommand(record)
      if (decoded.type === 'limits' && decoded.command.action === 'REVERT_LIMITS') this.revertsAsked.add(decoded.command.cmd_id)
    }
    this.revertsAsked.confirm()
  }

  get hasRepairs(): boolean {
    return this.repairs.length > 0
  }

  /** Whether a temporary change, or a held UNKILL, has expired on this clock with nothing written for it yet. */
  hasDueReverts(nowMs: number): boolean {
    return dueReverts(this.limits.values(), (cmdId) => this.asked(cmdId), nowMs).length > 0 || expiredRequests(this.approvals.values(), nowMs).length > 0
  }

  /** A record of a topic the aggregator follows: the kill state or the limits. */
  followRecord(record: LogRecord): void {
    if (record.topic === RISK_LIMITS) this.followLimits(record)
    else this.follow(record)
  }

  /** risk_limits.v1 as it grows: the aggregator's own records are known already; another's, or a tombstone, counts. */
  private followLimits(record: LogRecord): void {
    if (record.key === null) return
    if (record.value === null) {
      this.limits.delete(record.key)
      return
    }
    const decoded = decodeJson(limitsRecordSchema, record.value)
    if (decoded.ok && decoded.value.scope === record.key) this.limits.set(record.key, decoded.value)
  }

  /**
   * The state topic as the aggregator reads it back. A record it did not write (one that cannot be read, or
   * lacks fields) is enforced by the routers as decodeStateRecord reads it, failing closed; the aggregator,
   * its single writer, replaces it with a whole record of that reading and dead-letters the original.
   */
  follow(record: LogRecord, change = decodeStateRecord(record)): void {
    if (change.type === 'state') {
      if (change.problem === undefined) {
        if (!this.current.has(change.state.scope)) this.current.set(change.state.scope, change.state)
        return
      }
      if (mayReplace(this.current.get(change.state.scope), change.state)) this.current.set(change.state.scope, change.state)
      this.repairs.push({ record, problem: change.problem, state: change.state })
    } else if (change.type === 'deleted') {
      this.current.delete(change.scope)
    } else if (change.type === 'invalid') {
      this.repairs.push({ record, problem: change.error, state: undefined })
    }
  }

  /**
   * From when operator_actions.v1 must be read for this batch's commands to be vouched for (operator-voucher.ts), on
   * the aggregator's clock; undefined when no command in it needs an entry that has not been read yet.
   */
  trailNeededFrom(batch: readonly LogRecord[], nowMs: number): number | undefined {
    const times: number[] = []
    for (const record of batch) {
      const decoded = decodeCommand(record)
      if (decoded.type === 'invalid' || !needsVoucher(decoded.command)) continue
      // A command handled before is a DUPLICATE whatever the trail says: no read for it (nor for a forgery sent again).
      if (this.memory.has(identityOf(decoded))) continue
      if (isVouched(decoded.command, commandDigest(decoded.command), this.vouchers, nowMs)) continue
      times.push(Math.min(record.timestamp, decoded.command.ts))
    }
    return trailReadFrom(times, nowMs)
  }

  /** Entries of operator_actions.v1: the ALLOWED ones with a cmd_id vouch for their command; anything else is passed over. */
  vouch(records: readonly LogRecord[]): void {
    for (const record of records) {
      if (record.value === null) continue
      const decoded = decodeJson(operatorActionSchema, record.value)
      if (!decoded.ok || decoded.value.outcome !== 'ALLOWED' || decoded.value.cmd_id === undefined || decoded.value.scope === undefined) continue
      const { cmd_id, actor, action, ts, cmd_digest: digest } = decoded.value
      // Matched against the command as decoded, whose scope is canonical: the entry keeps it as it was written.
      const parsed = parseScope(decoded.value.scope)
      const scope = parsed.ok ? formatScope(parsed.scope) : decoded.value.scope
      const known = this.vouchers.get(cmd_id) ?? []
      // Read again after a restart or a wider read: the same entry is kept once.
      if (known.some((entry) => entry.digest === digest && entry.actor === actor && entry.ts === ts)) continue
      if (known.length === 0 && this.vouchers.size >= MAX_VOUCHERS) this.vouchers.delete(this.vouchers.keys().next().value!)
      this.vouchers.set(cmd_id, [...known, { ts, cmd_id, digest, actor, action, scope }])
    }
  }

  /** Applies a batch of commands and the pending repairs (memory tentative until `confirm`). */
  apply(batch: readonly LogRecord[], nowMs: number, trail: TrailCoverage = NO_TRAIL): AggregatorOutputs {
    this.spent.prune(nowMs)
    const output = applyCommandBatch(this.current, this.memory, batch, nowMs, this.limits, this.approvals, this.policy, { vouchers: this.vouchers, coverage: trail, spent: this.spent })
    // A held UNKILL nobody approved in time is marked EXPIRED once, and says so in the trail.
    for (const expired of expiredRequests(this.approvals.values(), nowMs)) settle(this.approvals, expired, this.current.get(expired.scope)?.status, nowMs, output)
    // After the batch: a REVERT in it, or a change that replaced the temporary one, leaves nothing to revert.
    const reverts = dueReverts(this.limits.values(), (cmdId) => this.asked(cmdId), nowMs)
    for (const revert of reverts) this.revertsAsked.add(revert.cmd_id)
    const repairs = this.repairs.splice(0)
    const repaired: ProduceRecord[] = []
    for (const repair of repairs) {
      output.deadLetters.push(deadLetter(repair.record, repair.problem, nowMs))
      const { record, state } = repair
      // Any other key goes (never a scope's own, which only whole records use): the scope's state lives under the
      // scope's own key, once, and a restart does not meet the bad record again.
      if (record.key !== null && record.key !== state?.scope) repaired.push({ key: record.key, value: null, timestamp: nowMs })
      if (state === undefined) continue
      // Under the scope's own key the bad record is now the scope's latest, so what is known goes on top of it
      // (the tighter of the two); under another key, the state it tightened to, if nothing newer has come since.
      const known = this.current.get(state.scope)
      const whole = record.key === state.scope ? known : known === state ? state : undefined
      if (whole !== undefined && killStateSchema.safeParse(whole).success) repaired.push(encode(KILL_STATE, whole, { timestamp: nowMs }))
    }
    return {
      ...output,
      states: [...repaired, ...output.states],
      reverts: reverts.map((revert) => encode(KILL_COMMANDS, revert, { timestamp: nowMs })),
      repaired: repairs.length,
    }
  }

  confirm(): void {
    this.memory.confirm()
    this.revertsAsked.confirm()
    this.spent.confirm()
  }

  rollback(): void {
    this.memory.rollback()
    this.revertsAsked.rollback()
    this.spent.rollback()
  }

  /** Asked for already: written and waiting to be read, or read and handled. */
  private asked(revertCmdId: string): boolean {
    return this.revertsAsked.has(revertCmdId) || this.memory.has(limitsIdentity(revertCmdId))
  }

  /** The current state of each of these scopes. */
  statesOf(scopes: Iterable<string>): KillState[] {
    const states: KillState[] = []
    for (const scope of new Set(scopes)) {
      const state = this.current.get(scope)
      if (state !== undefined) states.push(state)
    }
    return states
  }
}

import type { KillCommand } from './kill-command.js'
import type { KillState } from './kill-status.js'
import { isoTime } from './kill-state.js'
import { BOOTSTRAP_OPERATOR, OPERATOR_IDENTITY, OPERATOR_IDENTITY_FORM } from './operator-identity.js'

/**
 * Four-eyes unkill (RTS 6 Art. 15(6): an override verified by risk staff and authorised by a named person): under
 * the policy an operator's UNKILL is not applied but held as a request, which a second, different person must approve
 * before it expires. A kill is always one person and immediate.
 */
export interface FourEyesPolicy {
  readonly unkill: boolean
  readonly timeoutMs: number
}

export const FOUR_EYES_OFF: FourEyesPolicy = { unkill: false, timeoutMs: 15 * 60_000 }

/** CANCELLED: the scope's state changed after the request (a KILL came), so the request no longer says what it undoes. */
export type ApprovalStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'EXPIRED' | 'CANCELLED'

/** What is held: an UNKILL, or a THROTTLE that would let more through than the state in force. */
export type HeldAction = 'UNKILL' | 'THROTTLE'

/** A held UNKILL and what became of it: killswitch.approvals.v1, keyed by request_id (compacted). */
export interface ApprovalRecord {
  /** The held UNKILL's cmd_id. */
  readonly request_id: string
  readonly scope: string
  readonly action: HeldAction
  readonly requested_by: string
  /** The aggregator's clock when it held the request; expires_ts is counted from it. */
  readonly requested_ts: number
  readonly expires_ts: number
  /**
   * The scope's state when the request was held (its command, status, cap, time and corr_id): an approval applies only
   * to that very state. A cmd_id alone would not do: anyone may reuse one for another action or cap.
   */
  readonly state_version?: string | undefined
  readonly reason: string
  /** The UNKILL's corr_id: the request, the approval and the state it leads to all carry it. */
  readonly corr_id: string
  readonly status: ApprovalStatus
  readonly decided_by?: string | undefined
  readonly decided_ts?: number | undefined
  readonly decision_reason?: string | undefined
  /** The command as it was sent (its time no later than the hold's), applied as it is once approved. */
  readonly command: KillCommand
}

export type ApprovalAction = 'APPROVE' | 'REJECT'

/** A second person's answer to a held request, on killswitch.commands.v1 beside the commands it answers. */
export interface ApprovalCommand {
  readonly cmd_id: string
  readonly ts: number
  readonly action: ApprovalAction
  readonly request_id: string
  /** The request's scope: the topic is keyed by scope, so the answer lands beside the request. */
  readonly scope: string
  readonly reason: string
  readonly triggered_by: string
  readonly operator?: string | undefined
  /** The request's corr_id. */
  readonly corr_id: string
}

export type ApprovalOutcome =
  | { readonly type: 'approved'; readonly record: ApprovalRecord }
  | { readonly type: 'rejected'; readonly record: ApprovalRecord }
  /** Too late: the request expired before this answer; the record says so. */
  | { readonly type: 'expired'; readonly record: ApprovalRecord }
  /** The scope's state changed since the request: the request is CANCELLED, not applied. */
  | { readonly type: 'cancelled'; readonly record: ApprovalRecord }
  | { readonly type: 'refused'; readonly reason: string }
  | { readonly type: 'duplicate'; readonly reason: string }

/**
 * Whether the policy holds this command, which the aggregator would otherwise apply now over `state`: an UNKILL of a
 * KILLED or THROTTLED scope, or a THROTTLE over a KILL or to a higher cap. What tightens is never held.
 */
export function needsApproval(policy: FourEyesPolicy, command: KillCommand, state: KillState | undefined): command is KillCommand & { action: HeldAction } {
  if (!policy.unkill || state === undefined || state.status === 'ACTIVE') return false
  if (command.action === 'UNKILL') return true
  if (command.action !== 'THROTTLE') return false
  return state.status === 'KILLED' || (state.max_orders_per_sec ?? 0) < (command.max_orders_per_sec ?? 0)
}

/**
 * The held request for a command that the aggregator would otherwise apply now. Its time is no later than the
 * aggregator's clock: a sender's clock ahead cannot make the request newer than a KILL that comes after it.
 */
export function holdForApproval(command: KillCommand & { action: HeldAction }, state: KillState | undefined, policy: FourEyesPolicy, nowMs: number): ApprovalRecord {
  return {
    request_id: command.cmd_id,
    scope: command.scope,
    action: command.action,
    requested_by: command.operator ?? command.triggered_by,
    requested_ts: nowMs,
    expires_ts: nowMs + policy.timeoutMs,
    ...(state === undefined ? {} : { state_version: stateVersion(state) }),
    reason: command.reason,
    corr_id: command.corr_id,
    status: 'PENDING',
    command: command.ts > nowMs ? { ...command, ts: nowMs } : command,
  }
}

/** What tells one state of a scope from any other: its command, status, cap, time and corr_id together. */
export function stateVersion(state: KillState): string {
  return JSON.stringify([state.last_cmd_id, state.status, state.max_orders_per_sec ?? null, state.updated_ts, state.corr_id])
}

/** The held requests of a scope a KILL has just reached: each CANCELLED, so that no approval can undo that KILL. */
export function cancelledBy(requests: Iterable<ApprovalRecord>, kill: KillCommand, nowMs: number): ApprovalRecord[] {
  const cancelled: ApprovalRecord[] = []
  for (const request of requests) {
    if (request.status !== 'PENDING' || request.scope !== kill.scope) continue
    const by = kill.operator ?? kill.triggered_by
    cancelled.push({ ...request, status: 'CANCELLED', decided_ts: nowMs, decision_reason: `a KILL by ${by} came after the request: ${kill.reason}` })
  }
  return cancelled
}

/**
 * Who may approve: a named person. The bootstrap token stands for whoever holds the data directory, and an
 * unverified identity is only what a client said it was.
 */
export function approverRefusal(operator: string): string | undefined {
  return unnamed(operator, 'an approval')
}

/**
 * Who may ask for what four eyes hold: a named person too. Else whoever holds the bootstrap token could ask as
 * `console` and approve as themselves, and no rule could tell the two apart.
 */
export function askerRefusal(operator: string): string | undefined {
  return unnamed(operator, 'a request to lift a KILL or a throttle')
}

function unnamed(operator: string, what: string): string | undefined {
  const name = operator.slice(operator.indexOf(':') + 1).toLowerCase()
  if (name === BOOTSTRAP_OPERATOR) return `${operator} (the bootstrap token) is no named person: ${what} needs a personal token`
  if (operator.startsWith('unverified:')) return `${operator} is not an identity the log authenticated: ${what} needs one`
  return undefined
}

/**
 * One person under any of their identities: `sue` on the console, `local:sue` and `sasl:sue` on the direct path.
 * Case does not make another person either.
 */
export function samePerson(a: string, b: string): boolean {
  const name = (identity: string) => identity.slice(identity.indexOf(':') + 1).toLowerCase()
  return name(a) === name(b)
}

/**
 * What an APPROVE or REJECT does to a held request, on the aggregator's clock. Only an operator's answer counts, and
 * never the requester's own; an answer after the expiry marks the request EXPIRED instead. Pure: the caller applies
 * an approved request's UNKILL.
 */
export function decideApproval(
  request: ApprovalRecord | undefined,
  command: ApprovalCommand,
  nowMs: number,
  /** The scope's state now. */
  state: KillState | undefined,
): ApprovalOutcome {
  if (command.triggered_by !== 'operator' || command.operator === undefined || !OPERATOR_IDENTITY.test(command.operator)) {
    return { type: 'refused', reason: `an ${command.action} must come from an operator (${OPERATOR_IDENTITY_FORM})` }
  }
  if (request === undefined) return { type: 'refused', reason: `there is no request ${command.request_id} to ${command.action.toLowerCase()}` }
  if (request.status !== 'PENDING') {
    return { type: 'duplicate', reason: `request ${command.request_id} was ${request.status} already${request.decided_by === undefined ? '' : ` by ${request.decided_by}`}` }
  }
  if (request.scope !== command.scope) return { type: 'refused', reason: `request ${command.request_id} is for ${request.scope}, not ${command.scope}` }
  if (command.action === 'APPROVE' && samePerson(command.operator, request.requested_by)) {
    return { type: 'refused', reason: `${command.operator} asked for this ${request.action} and may not approve it: a second person must` }
  }
  const notAPerson = command.action === 'APPROVE' ? approverRefusal(command.operator) : undefined
  if (notAPerson !== undefined) return { type: 'refused', reason: notAPerson }
  const decided = { decided_by: command.operator, decided_ts: nowMs, decision_reason: command.reason }
  if (nowMs > request.expires_ts) {
    const late = `${command.action} by ${command.operator} came after the expiry at ${isoTime(request.expires_ts)}`
    return { type: 'expired', record: { ...request, status: 'EXPIRED', decided_ts: nowMs, decision_reason: late } }
  }
  if (command.action === 'REJECT') return { type: 'rejected', record: { ...request, status: 'REJECTED', ...decided } }
  if ((state === undefined ? undefined : stateVersion(state)) !== request.state_version) {
    const changed = `the state of ${request.scope} changed since the request (now ${state?.status ?? 'none'} from cmd_id ${state?.last_cmd_id ?? 'none'}): ask again`
    return { type: 'cancelled', record: { ...request, status: 'CANCELLED', decided_ts: nowMs, decision_reason: changed } }
  }
  return { type: 'approved', record: { ...request, status: 'APPROVED', ...decided } }
}

/** Held requests past their expiry on this clock: each is marked EXPIRED once. */
export function expiredRequests(requests: Iterable<ApprovalRecord>, nowMs: number): ApprovalRecord[] {
  const expired: ApprovalRecord[] = []
  for (const request of requests) {
    if (request.status === 'PENDING' && nowMs > request.expires_ts) {
      expired.push({ ...request, status: 'EXPIRED', decided_ts: nowMs, decision_reason: 'no second person approved it in time' })
    }
  }
  return expired
}

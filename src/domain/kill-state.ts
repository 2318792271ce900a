import type { KillCommand } from './kill-command.js'
import type { KillState, KillStatus } from './kill-status.js'
import { OPERATOR_IDENTITY, OPERATOR_IDENTITY_FORM } from './operator-identity.js'

export { RecentIds } from './recent-ids.js'
export { OPERATOR_IDENTITY, OPERATOR_IDENTITY_FORM } from './operator-identity.js'

/**
 * Who may restore or ration access: an allow-list, not a list of automated names to refuse. Restoring access is
 * the operator's "direct and exclusive control" (SEC Rule 15c3-5): only a command from the operator channel
 * (`riskctl kill/unkill/throttle`, the console, the live view) that names a well-formed operator may UNKILL or
 * THROTTLE. Anything else (the detector, the Spark job, any other or misspelt source) may only KILL.
 */
export const RESTORING_SOURCES: ReadonlySet<string> = new Set(['operator'])

export type ApplyOutcome =
  | { readonly type: 'applied'; readonly state: KillState }
  | { readonly type: 'duplicate'; readonly reason: string }
  | { readonly type: 'refused'; readonly reason: string }

const STATUS_FOR: Readonly<Record<KillCommand['action'], KillStatus>> = {
  KILL: 'KILLED',
  UNKILL: 'ACTIVE',
  THROTTLE: 'THROTTLED',
}

/** Whether this command may restore or ration access; the reason when it may not. */
export function restoreRefusal(command: KillCommand): string | undefined {
  if (!RESTORING_SOURCES.has(command.triggered_by)) {
    return `only an operator can ${command.action}; ${JSON.stringify(command.triggered_by)} may only KILL`
  }
  if (command.operator === undefined || !OPERATOR_IDENTITY.test(command.operator)) {
    return `an ${command.action} must name its operator (${OPERATOR_IDENTITY_FORM}), got ${JSON.stringify(command.operator ?? null)}`
  }
  return undefined
}

/**
 * What makes two commands the same command: a cmd_id alone does not (the seed's Spark job stamped one cmd_id
 * on every command), so a reused cmd_id for another scope, action or cap is a command of its own.
 */
export function commandIdentity(command: KillCommand): string {
  return `${command.cmd_id}\u0000${command.scope}\u0000${command.action}\u0000${command.max_orders_per_sec ?? ''}`
}

/**
 * The aggregator's reducer: the state a command leads to, or why it leads nowhere. Pure: the caller publishes
 * the state and then remembers the command's identity (for refusals too, so a replay is not refused twice).
 *
 * `remembered` holds the identities of commands already handled; `current` also catches the replay of the
 * command that set a scope's state. A command that would loosen a state (UNKILL, THROTTLE) and is older than
 * that state is refused: it was decided without knowing of it. A KILL is never refused for its age: stopping
 * a scope again fails closed. nowMs is the aggregator's clock.
 */
export function applyCommand(
  current: ReadonlyMap<string, KillState>,
  remembered: (identity: string) => boolean,
  command: KillCommand,
  nowMs = Number.POSITIVE_INFINITY,
): ApplyOutcome {
  const state = current.get(command.scope)
  const status = STATUS_FOR[command.action]
  if (remembered(commandIdentity(command)) || (state?.last_cmd_id === command.cmd_id && state.status === status)) {
    return { type: 'duplicate', reason: `cmd_id ${command.cmd_id} (${command.action} ${command.scope}) was already handled` }
  }
  if (command.action !== 'KILL') {
    const refusal = restoreRefusal(command)
    if (refusal !== undefined) return { type: 'refused', reason: refusal }
    if (state !== undefined && command.ts < state.updated_ts) {
      return {
        type: 'refused',
        reason: `stale: the command is from ${isoTime(command.ts)}, older than ${command.scope}'s ${state.status} state of ${isoTime(state.updated_ts)}`,
      }
    }
  }
  // Asked for only if it changes something: what is in force stays, with its own reason, operator and time.
  if (command.unless_already === true && isAlreadyThere(state, command.action, command.max_orders_per_sec)) {
    return { type: 'duplicate', reason: `${command.scope} is already ${state?.status ?? 'ACTIVE'}: left as it is` }
  }
  const next: KillState = {
    scope: command.scope,
    status,
    // Never later than the aggregator's clock: a KILL stamped tomorrow must not make every UNKILL stale. Never earlier
    // than the state it replaces: a KILL stamped long ago must not make an UNKILL from before the last change fresh.
    updated_ts: Math.max(state?.updated_ts ?? Number.NEGATIVE_INFINITY, Math.min(command.ts, nowMs)),
    updated_by: command.operator ?? command.triggered_by,
    reason: command.reason,
    last_cmd_id: command.cmd_id,
    corr_id: command.corr_id,
  }
  if (command.action !== 'THROTTLE') return { type: 'applied', state: next }
  if (command.max_orders_per_sec === undefined) {
    return { type: 'refused', reason: 'a THROTTLE command needs max_orders_per_sec (a positive integer)' }
  }
  return { type: 'applied', state: { ...next, max_orders_per_sec: command.max_orders_per_sec } }
}

/** Whether a scope in state `current` already has what `action` asks for: nothing for it to change. */
export function isAlreadyThere(
  current: KillState | undefined,
  action: KillCommand['action'],
  maxOrdersPerSec: number | undefined,
): boolean {
  switch (action) {
    case 'KILL':
      return current?.status === 'KILLED'
    case 'UNKILL':
      return current === undefined || current.status === 'ACTIVE'
    case 'THROTTLE':
      return current?.status === 'THROTTLED' && current.max_orders_per_sec === maxOrdersPerSec
  }
}

/** An epoch ms as ISO time, or as the number where no Date can hold it: a message must never throw. */
/** An epoch ms as ISO time, or as the number where no Date can hold it: formatting never throws. */
export function isoTime(ms: number): string {
  const date = new Date(ms)
  return Number.isNaN(date.getTime()) ? `${ms} ms` : date.toISOString()
}

const TIGHTNESS: Readonly<Record<KillStatus, number>> = { ACTIVE: 0, THROTTLED: 1, KILLED: 2 }

/**
 * Whether a state read from a record that was not whole (see decodeStateRecord) may replace what is known of its
 * scope: failing closed, such a record may tighten a scope (ACTIVE, THROTTLED, KILLED), never loosen it.
 */
export function mayReplace(known: KillState | undefined, suspect: KillState): boolean {
  return known === undefined || TIGHTNESS[suspect.status] > TIGHTNESS[known.status]
}

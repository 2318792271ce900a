import type { KillCommand, KillState, KillStatus } from '../contracts/messages.js'

export { RecentIds } from './recent-ids.js'

/**
 * Sources that act without a person. They may only KILL: restoring or rationing access is the operator's
 * "direct and exclusive control" (SEC Rule 15c3-5), so an automated UNKILL or THROTTLE is refused.
 */
export const AUTOMATED_SOURCES: ReadonlySet<string> = new Set(['detector', 'spark'])

export type ApplyOutcome =
  | { readonly type: 'applied'; readonly state: KillState }
  | { readonly type: 'duplicate' }
  | { readonly type: 'refused'; readonly reason: string }

const STATUS_FOR: Readonly<Record<KillCommand['action'], KillStatus>> = {
  KILL: 'KILLED',
  UNKILL: 'ACTIVE',
  THROTTLE: 'THROTTLED',
}

export function isAutomatedSource(triggeredBy: string): boolean {
  return AUTOMATED_SOURCES.has(triggeredBy.trim().toLowerCase())
}

/**
 * The aggregator's reducer: the state a command leads to, or why it leads nowhere. Pure: the caller publishes
 * the state and then remembers the cmd_id (for refusals too, so a replay does not audit the refusal twice).
 *
 * `current` catches the replay the id set cannot: after a restart the set is empty, but the compacted state
 * still names the last command applied to each scope.
 */
export function applyCommand(
  current: ReadonlyMap<string, KillState>,
  seenCmdIds: (id: string) => boolean,
  command: KillCommand,
): ApplyOutcome {
  if (seenCmdIds(command.cmd_id) || current.get(command.scope)?.last_cmd_id === command.cmd_id) {
    return { type: 'duplicate' }
  }
  if (command.action !== 'KILL' && isAutomatedSource(command.triggered_by)) {
    return {
      type: 'refused',
      reason: `only an operator can ${command.action}; ${command.triggered_by} may only KILL`,
    }
  }
  const state: KillState = {
    scope: command.scope,
    status: STATUS_FOR[command.action],
    updated_ts: command.ts,
    updated_by: command.operator ?? command.triggered_by,
    reason: command.reason,
    last_cmd_id: command.cmd_id,
    corr_id: command.corr_id,
  }
  if (command.action !== 'THROTTLE') return { type: 'applied', state }
  if (command.max_orders_per_sec === undefined) {
    return { type: 'refused', reason: 'a THROTTLE command needs max_orders_per_sec (a positive integer)' }
  }
  return { type: 'applied', state: { ...state, max_orders_per_sec: command.max_orders_per_sec } }
}

import { restoreRefusal } from '../kill-state.js'
import { enforcedLimits, type LimitsCommand, type LimitsRecord } from './limits-command.js'
import { effectiveLimits, loosenings, type RiskLimits } from './risk-limits.js'

/** Who writes the REVERT of a temporary change at its expiry. */
export const LIMITS_REVERTER = 'aggregator'

export type LimitsOutcome =
  | { readonly type: 'applied'; readonly record: LimitsRecord }
  | { readonly type: 'duplicate'; readonly reason: string }
  | { readonly type: 'refused'; readonly reason: string }

/** What the orders a scope's limits govern are held to, as limits: the scope's over the firm's over the defaults. */
function governing(defaults: RiskLimits, firm: RiskLimits | undefined, scope: string, own: RiskLimits): RiskLimits {
  const resolved = scope === 'GLOBAL' ? effectiveLimits(defaults, own, undefined) : effectiveLimits(defaults, firm, own)
  const { unknown: _, ...limits } = resolved
  return { ...limits, restricted_symbols: [...resolved.restricted_symbols] }
}

/**
 * What a SET_LIMITS would loosen for the orders it governs, at `nowMs`: empty when it only tightens. Judged as
 * orders are judged (the scope's record over the firm's over the defaults, so a first record for an account is held
 * to what the account had), and, under a temporary change, against the permanent limits it reverts to as well: a
 * change that would keep a temporary loosening in force, or loosen what it reverts to, loosens.
 */
export function loosenedBy(
  defaults: RiskLimits,
  firm: LimitsRecord | undefined,
  current: LimitsRecord | undefined,
  command: LimitsCommand,
  nowMs: number,
): string[] {
  const firmNow = firm === undefined ? undefined : enforcedLimits(firm, nowMs)
  const view = (own: RiskLimits) => governing(defaults, firmNow, command.scope, own)
  const inForce = current === undefined ? {} : enforcedLimits(current, nowMs)
  const found = loosenings(view(inForce), view(changed(inForce, command)))
  const temporary = current?.expires_ts !== undefined && nowMs < current.expires_ts
  if (temporary) {
    const baseline = current.reverts_to ?? {}
    const after = command.expires_ts === undefined ? changed(baseline, command) : changed(inForce, command)
    for (const loosened of loosenings(view(baseline), view(after))) if (!found.includes(loosened)) found.push(loosened)
  }
  return found
}

/**
 * The aggregator's reducer for limits commands (ADR 0014): the record a command leads to, or why it leads nowhere.
 * Loosening is an operator's act only, as UNKILL is, and a loosening command older than the record is stale. A
 * temporary change keeps the limits it replaced, and a change made while one is in force leaves its expiry alone.
 */
export function applyLimitsCommand(
  current: LimitsRecord | undefined,
  remembered: (cmdId: string) => boolean,
  command: LimitsCommand,
  nowMs: number,
): LimitsOutcome {
  if (!command.scope.startsWith('ACCOUNT:') && command.scope !== 'GLOBAL') {
    return { type: 'refused', reason: `limits apply to GLOBAL or ACCOUNT:<id>, not ${command.scope}` }
  }
  if (remembered(command.cmd_id) || current?.last_cmd_id === command.cmd_id) {
    return { type: 'duplicate', reason: `cmd_id ${command.cmd_id} (${command.action} ${command.scope}) was already handled` }
  }
  // Never later than the aggregator's clock, never earlier than the record it replaces (as a kill state's time).
  const updatedTs = Math.max(current?.updated_ts ?? Number.NEGATIVE_INFINITY, Math.min(command.ts, nowMs))
  const stamp = {
    scope: command.scope,
    updated_ts: updatedTs,
    // The aggregator's REVERT at an expiry is its own, whatever operator a record claiming to be one names.
    updated_by: command.triggered_by === LIMITS_REVERTER ? LIMITS_REVERTER : (command.operator ?? command.triggered_by),
    reason: command.reason,
    last_cmd_id: command.cmd_id,
    corr_id: command.corr_id,
  }
  if (command.action === 'REVERT_LIMITS') return revert(current, command, stamp, nowMs)

  const inForce = current === undefined ? {} : enforcedLimits(current, nowMs)
  const next = changed(inForce, command)
  const loosened = loosenings(inForce, next)
  if (loosened.length > 0) {
    const refusal = restoreRefusal({ ...command, action: 'UNKILL' })
    if (refusal !== undefined) return { type: 'refused', reason: `${refusal.replace('UNKILL', 'loosen a limit')} (${loosened.join('; ')})` }
    if (current !== undefined && command.ts < current.updated_ts) {
      return { type: 'refused', reason: `stale: a change that loosens ${command.scope}'s limits is older than its record` }
    }
  }
  const temporaryNow = current?.expires_ts !== undefined && nowMs < current.expires_ts
  if (command.expires_ts !== undefined) {
    if (command.expires_ts <= nowMs) return { type: 'refused', reason: 'the change expires before it could take effect' }
    // Temporary changes revert to the last permanent limits, however many are stacked.
    const baseline = temporaryNow ? (current.reverts_to ?? {}) : inForce
    return {
      type: 'applied',
      record: { ...stamp, limits: next, expires_ts: command.expires_ts, reverts_to: baseline, temporary_cmd_id: command.cmd_id },
    }
  }
  if (temporaryNow) {
    // A permanent change under a temporary one: it changes what the temporary one reverts to as well.
    return {
      type: 'applied',
      record: {
        ...stamp,
        limits: next,
        expires_ts: current.expires_ts,
        reverts_to: changed(current.reverts_to ?? {}, command),
        temporary_cmd_id: current.temporary_cmd_id,
      },
    }
  }
  return { type: 'applied', record: { ...stamp, limits: next } }
}

function revert(current: LimitsRecord | undefined, command: LimitsCommand, stamp: Omit<LimitsRecord, 'limits'>, nowMs: number): LimitsOutcome {
  if (command.triggered_by !== LIMITS_REVERTER && restoreRefusal({ ...command, action: 'UNKILL' }) !== undefined) {
    return { type: 'refused', reason: `only the aggregator or an operator may revert limits` }
  }
  if (current?.temporary_cmd_id === undefined || current.temporary_cmd_id !== command.reverts) {
    return { type: 'duplicate', reason: `no temporary change ${command.reverts ?? '(none named)'} is in force on ${command.scope}` }
  }
  // The aggregator's name is only a field: before the expiry, ending a change early is an operator's act.
  if (command.triggered_by === LIMITS_REVERTER && current.expires_ts !== undefined && nowMs < current.expires_ts) {
    return { type: 'refused', reason: `the temporary change ${current.temporary_cmd_id} has not expired yet` }
  }
  return { type: 'applied', record: { ...stamp, limits: current.reverts_to ?? {} } }
}

/** `limits` with the command's fields set and its symbols restricted or not. */
function changed(limits: RiskLimits, command: LimitsCommand): RiskLimits {
  const restricted = new Set(limits.restricted_symbols ?? [])
  for (const symbol of command.restrict ?? []) restricted.add(symbol)
  for (const symbol of command.unrestrict ?? []) restricted.delete(symbol)
  const next: RiskLimits = { ...limits, ...dropUndefined(command.limits ?? {}) }
  return restricted.size === 0 ? withoutList(next) : { ...next, restricted_symbols: [...restricted].sort() }
}

function dropUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function withoutList(limits: RiskLimits): RiskLimits {
  const { restricted_symbols: _, ...rest } = limits
  return rest
}

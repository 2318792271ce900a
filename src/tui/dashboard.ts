import { AUDIT, KILL_STATE, RISK_SIGNALS } from '../../topologies/topics.js'
import type { TailRecord } from '../services/tail.js'

export type RestrictiveStatus = 'KILLED' | 'THROTTLED'

export interface ActiveKill {
  readonly scope: string
  readonly status: RestrictiveStatus
}

/** An account past a step of its credit ladder today: the router's latest CREDIT_WARNING for it. */
export interface CreditStanding {
  readonly account: string
  readonly percent: number
}

interface CreditStep {
  readonly percent: number
  readonly dayStart: number
}

/**
 * What the seed's CloudWatch dashboard showed, rebuilt from records: the latest status of every
 * scope seen on the state topic, and the router's allowed and dropped decisions from the audit trail.
 */
export interface DashboardState {
  readonly statuses: ReadonlyMap<string, string>
  readonly allowed: number
  readonly dropped: number
  /** Per account, the highest credit step signalled in the newest trading day it was signalled in. */
  readonly credit: ReadonlyMap<string, CreditStep>
}

export const EMPTY_DASHBOARD: DashboardState = Object.freeze({
  statuses: new Map<string, string>(),
  allowed: 0,
  dropped: 0,
  credit: new Map<string, CreditStep>(),
})

export type AuditOutcome = 'allowed' | 'dropped'

export function auditOutcome(record: TailRecord): AuditOutcome | undefined {
  if (record.topic !== AUDIT) return undefined
  const decision = field(record.value, 'decision')
  if (decision === 'ALLOW') return 'allowed'
  if (decision === 'DROP') return 'dropped'
  return undefined
}

export function reduceDashboard(state: DashboardState, record: TailRecord): DashboardState {
  if (record.topic === KILL_STATE) return applyState(state, record)
  if (record.topic === RISK_SIGNALS) return applyCreditWarning(state, record)
  const outcome = auditOutcome(record)
  if (outcome === 'allowed') return { ...state, allowed: state.allowed + 1 }
  if (outcome === 'dropped') return { ...state, dropped: state.dropped + 1 }
  return state
}

/** Scopes whose latest status restricts trading, in a stable order for display. */
export function activeKills(state: DashboardState): ActiveKill[] {
  const kills: ActiveKill[] = []
  for (const [scope, status] of state.statuses) {
    if (status === 'KILLED' || status === 'THROTTLED') kills.push({ scope, status })
  }
  return kills.sort((a, b) => a.scope.localeCompare(b.scope))
}

/**
 * Accounts past a credit step in the newest trading day any warning names, highest first: a warning of an earlier
 * day no longer describes the account's line.
 */
export function creditStandings(state: DashboardState): CreditStanding[] {
  let today = -Infinity
  for (const step of state.credit.values()) today = Math.max(today, step.dayStart)
  const standings: CreditStanding[] = []
  for (const [account, step] of state.credit) if (step.dayStart === today) standings.push({ account, percent: step.percent })
  return standings.sort((a, b) => b.percent - a.percent || a.account.localeCompare(b.account))
}

function applyCreditWarning(state: DashboardState, record: TailRecord): DashboardState {
  const value = record.value
  if (field(value, 'signal') !== 'CREDIT_WARNING') return state
  const account = field(value, 'account_id')
  const percent = number(value, 'percent')
  const dayStart = number(value, 'day_start')
  if (account === undefined || percent === undefined || dayStart === undefined) return state
  const known = state.credit.get(account)
  if (known !== undefined && (known.dayStart > dayStart || (known.dayStart === dayStart && known.percent >= percent))) return state
  const credit = new Map(state.credit)
  credit.set(account, { percent, dayStart })
  return { ...state, credit }
}

function applyState(state: DashboardState, record: TailRecord): DashboardState {
  // Records of one scope share a key, hence a partition, so arrival order is the aggregator's order.
  const scope = field(record.value, 'scope') ?? record.key
  if (scope === undefined || scope === null) return state
  const status = field(record.value, 'status')
  // A tombstone (null value) removes the scope from the compacted topic, and so from the view.
  if (status === undefined && record.value !== null) return state
  const statuses = new Map(state.statuses)
  if (status === undefined) statuses.delete(scope)
  else statuses.set(scope, status)
  return { ...state, statuses }
}

function field(value: unknown, name: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const found = (value as Record<string, unknown>)[name]
  return typeof found === 'string' ? found : undefined
}

function number(value: unknown, name: string): number | undefined {
  if (typeof value !== 'object' || value === null) return undefined
  const found = (value as Record<string, unknown>)[name]
  return typeof found === 'number' && Number.isFinite(found) ? found : undefined
}

import type { RiskLimits } from './risk-limits.js'

export type LimitsAction = 'SET_LIMITS' | 'REVERT_LIMITS'

/**
 * A change of a scope's limits on killswitch.commands.v1, applied by the aggregator to risk_limits.v1. A SET sets
 * the fields it names and leaves the others; `restrict` and `unrestrict` add symbols to and take them off the
 * scope's restricted list. With `expires_ts` the change is temporary: at that time the aggregator writes a REVERT
 * naming it, and routers enforce the limits it replaced from then on, whether or not the REVERT has come.
 */
export interface LimitsCommand {
  readonly cmd_id: string
  readonly ts: number
  /** GLOBAL (the firm) or ACCOUNT:<id>. */
  readonly scope: string
  readonly action: LimitsAction
  readonly limits?: Omit<RiskLimits, 'restricted_symbols'> | undefined
  readonly restrict?: readonly string[] | undefined
  readonly unrestrict?: readonly string[] | undefined
  readonly expires_ts?: number | undefined
  /** For REVERT_LIMITS: the cmd_id of the temporary change it ends. */
  readonly reverts?: string | undefined
  readonly reason: string
  /** Who sent it: 'operator' for the operator channel; the aggregator for a revert at expiry. */
  readonly triggered_by: string
  readonly operator?: string | undefined
  readonly corr_id: string
}

/** A scope's limits as risk_limits.v1 holds them under the scope's key. */
export interface LimitsRecord {
  readonly scope: string
  /** What the scope's record sets, in force until `expires_ts`. */
  readonly limits: RiskLimits
  readonly updated_ts: number
  readonly updated_by: string
  readonly reason: string
  readonly last_cmd_id: string
  readonly corr_id: string
  /** A temporary change's end; from then on, `reverts_to` is in force. */
  readonly expires_ts?: number | undefined
  readonly reverts_to?: RiskLimits | undefined
  /** The cmd_id of the temporary change, for its REVERT. */
  readonly temporary_cmd_id?: string | undefined
}

/** The limits a record puts in force at `nowMs`: past its expiry, those it replaced. Fail closed on the router's clock. */
export function enforcedLimits(record: LimitsRecord, nowMs: number): RiskLimits {
  return record.expires_ts !== undefined && nowMs >= record.expires_ts ? (record.reverts_to ?? {}) : record.limits
}

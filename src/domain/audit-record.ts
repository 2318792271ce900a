import type { KillStatus } from './kill-status.js'
import type { CheckCode } from './pretrade/check-codes.js'

export type AuditDecision = 'ALLOW' | 'DROP' | 'DUPLICATE' | 'REFUSED' | 'APPLIED' | 'PENDING'

/**
 * One record per decision. Order decisions are ALLOW, DROP or DUPLICATE; the aggregator writes one record per
 * command: APPLIED, DUPLICATE (handled before), REFUSED, or PENDING (an UNKILL held for a second person's approval), so the trail shows what became of every command long
 * after the compacted state has forgotten it.
 */
export interface AuditRecord {
  readonly ts: number
  readonly decision: AuditDecision
  readonly order_id: string
  readonly account_id: string
  readonly symbol: string
  readonly strategy: string
  readonly scope_matches: readonly string[]
  readonly killswitch_status: KillStatus
  readonly reason: string
  readonly corr_id: string
  /**
   * The router's check that decided (ADR 0014), null when the order was let through. The aggregator's records of
   * commands have none, nor have router records written before there were checks.
   */
  readonly check?: CheckCode | null | undefined
  /**
   * Where the decided order lies on orders.v1, as `partition:offset`: the evidence `riskctl explain` starts from.
   * Router records only, and not those written before it was recorded.
   */
  readonly order_offset?: string | undefined
  readonly service: string
}

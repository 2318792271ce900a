export type KillStatus = 'ACTIVE' | 'KILLED' | 'THROTTLED'

/** The latest status of one scope, as killswitch.state.v1 holds it under the scope's key. */
export interface KillState {
  readonly scope: string
  readonly status: KillStatus
  readonly updated_ts: number
  readonly updated_by: string
  readonly reason: string
  readonly last_cmd_id: string
  readonly corr_id: string
  readonly max_orders_per_sec?: number | undefined
}

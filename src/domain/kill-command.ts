export type KillAction = 'KILL' | 'UNKILL' | 'THROTTLE'

/** What someone or something asked the aggregator to do to a scope; killswitch.commands.v1 keeps every one. */
export interface KillCommand {
  readonly cmd_id: string
  readonly ts: number
  readonly scope: string
  readonly action: KillAction
  readonly reason: string
  /** Who sent it: 'operator' for the operator channel, a rule's or job's name otherwise. */
  readonly triggered_by: string
  readonly operator?: string | undefined
  readonly metric?: string | undefined
  readonly value?: number | undefined
  /** Required for THROTTLE. */
  readonly max_orders_per_sec?: number | undefined
  readonly corr_id: string
}

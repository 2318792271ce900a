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
  /**
   * Leave the scope as it is if it already has what this asks for (KILLED; ACTIVE or never killed; THROTTLED at
   * this cap): the aggregator, which holds the state, decides, so that `riskctl kill` need not read it first.
   */
  readonly unless_already?: boolean | undefined
  readonly corr_id: string
}

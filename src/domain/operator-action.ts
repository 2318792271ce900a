/** How an attempt ended, as the operator-action trail records it. */
export type ActionOutcome =
  /** Carried out: a command was published (its cmd_id and corr_id are in the record). */
  | 'ALLOWED'
  /** Authenticated, and refused: the role is short of what the action needs, or the aggregator refused it. */
  | 'REFUSED'
  /** No token, or one that is nobody's. */
  | 'UNAUTHENTICATED'
  /** Too many failed authentications from one client: refused without looking at the token. */
  | 'RATE_LIMITED'
  /** The request itself was wrong: a body naming another operator, a malformed scope, a missing reason. */
  | 'INVALID'
  /** Something failed on the way (the log, the console): nobody can tell it was carried out. */
  | 'FAILED'

/** Which way in: the console (HTTP), the CLI writing to the log, or the live view's keys. */
export type ActionChannel = 'console' | 'cli' | 'tui'

/**
 * One entry of operator_actions.v1: who tried what, when, from where, and whether it was allowed. The commands
 * topic keeps what was done; this keeps what was tried, refusals and failed logins too (SEC Rule 15c3-5 (c)(2)(iii):
 * only authorised persons).
 */
export interface OperatorActionRecord {
  readonly action_id: string
  readonly ts: number
  /** The authenticated identity, or 'unauthenticated'. */
  readonly actor: string
  readonly role?: string | undefined
  /** For an unauthenticated attempt with a personal token's shape: the user it claimed to be. Never the secret. */
  readonly claimed?: string | undefined
  readonly channel: ActionChannel
  /** The client's address (console), or the host the CLI ran on. */
  readonly from: string
  /** KILL, UNKILL, THROTTLE, SET_LIMITS, or the console's method and path for anything else. */
  readonly action: string
  readonly scope?: string | undefined
  readonly outcome: ActionOutcome
  /** The HTTP status the console answered; absent on the CLI's path. */
  readonly status?: number | undefined
  /** Why it was refused or failed, or the operator's reason for what was allowed. */
  readonly detail: string
  readonly cmd_id?: string | undefined
  /** For an ALLOWED command: the digest of the command itself, which is what vouches for it to the aggregator. */
  readonly cmd_digest?: string | undefined
  readonly corr_id?: string | undefined
}

/** The actor of an attempt nobody could be authenticated for. */
export const UNAUTHENTICATED = 'unauthenticated'

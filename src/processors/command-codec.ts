import { commandSchema, isApprovalCommand, isLimitsCommand } from '../contracts/commands.js'
import type { ApprovalCommand } from '../domain/approval.js'
import { decodeJson } from '../contracts/decode.js'
import type { KillCommand } from '../domain/kill-command.js'
import type { LimitsCommand } from '../domain/pretrade/limits-command.js'
import type { LogRecord } from '../log/port.js'

export type DecodedCommand =
  | { readonly type: 'kill'; readonly command: KillCommand }
  | { readonly type: 'limits'; readonly command: LimitsCommand }
  | { readonly type: 'approval'; readonly command: ApprovalCommand }
  /** Neither contract holds: a dead letter, with the reason. */
  | { readonly type: 'invalid'; readonly error: string }

/** One record of killswitch.commands.v1 as the aggregator reads it: its action decides which command it is. */
export function decodeCommand(record: LogRecord): DecodedCommand {
  const decoded = decodeJson(commandSchema, record.value)
  if (!decoded.ok) return { type: 'invalid', error: decoded.error }
  const command = decoded.value
  if (isLimitsCommand(command)) return { type: 'limits', command }
  if (isApprovalCommand(command)) return { type: 'approval', command }
  return { type: 'kill', command }
}

/**
 * A limits command's identity in the aggregator's memory of handled commands. A cmd_id alone: reusing one for
 * another scope is a DUPLICATE, not a second change. Marked so that it can never equal a kill command's identity.
 */
export function limitsIdentity(cmdId: string): string {
  return `LIMITS\u0000${cmdId}`
}

/** An APPROVE's or REJECT's identity in the same memory: its cmd_id, marked apart from the others. */
export function approvalIdentity(cmdId: string): string {
  return `APPROVAL\u0000${cmdId}`
}

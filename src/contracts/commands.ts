import { z } from 'zod'
import type { KillCommand } from '../domain/kill-command.js'
import type { LimitsCommand } from '../domain/pretrade/limits-command.js'
import { killCommandSchema } from './messages.js'
import { limitsCommandSchema } from './risk-limits.js'
import { approvalCommandSchema } from './approvals.js'
import type { ApprovalCommand } from '../domain/approval.js'

/** What killswitch.commands.v1 carries: kill commands and, beside them, limits commands (ADR 0014) and approvals. */
export type CommandRecord = KillCommand | LimitsCommand | ApprovalCommand

const LIMITS_ACTIONS: ReadonlySet<unknown> = new Set(['SET_LIMITS', 'REVERT_LIMITS'])
const APPROVAL_ACTIONS: ReadonlySet<unknown> = new Set(['APPROVE', 'REJECT'])

/** Whether a decoded command changes limits rather than a kill status. */
export function isLimitsCommand(command: CommandRecord): command is LimitsCommand {
  return LIMITS_ACTIONS.has(command.action)
}

/** Whether a decoded command answers a held request (four-eyes unkill). */
export function isApprovalCommand(command: CommandRecord): command is ApprovalCommand {
  return APPROVAL_ACTIONS.has(command.action)
}

/**
 * A record of killswitch.commands.v1. The action decides which contract it is held to, so that a refusal names the
 * fields of that contract, not every way a union could have failed; anything that is not a limits action is read
 * as a kill command, and refused as one.
 */
export const commandSchema = z.unknown().transform((value, ctx): CommandRecord => {
  const action = typeof value === 'object' && value !== null ? (value as { action?: unknown }).action : undefined
  const parsed = LIMITS_ACTIONS.has(action)
    ? limitsCommandSchema.safeParse(value)
    : APPROVAL_ACTIONS.has(action)
      ? approvalCommandSchema.safeParse(value)
      : killCommandSchema.safeParse(value)
  if (parsed.success) return parsed.data
  for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: [...issue.path] })
  return z.NEVER
})

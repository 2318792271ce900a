import { randomUUID } from 'node:crypto'
import type { KillCommand } from '../domain/kill-command.js'
import type { CommandRecord } from '../contracts/commands.js'
import { killCommandSchema } from '../contracts/messages.js'
import { formatIssues } from '../contracts/format-issues.js'
import { OPERATOR_IDENTITY, OPERATOR_IDENTITY_FORM } from '../domain/kill-state.js'
import { SCOPE_FORMS, parseScope } from '../domain/scope.js'
import { publishTrailed, type ActionOrigin, type PublishedCommand } from './operator-trail.js'
import { badInput } from '../errors.js'
import type { EventLog } from '../log/port.js'

export type OperatorAction = 'KILL' | 'UNKILL' | 'THROTTLE'

export interface OperatorCommandInput {
  readonly scope: string
  readonly action: OperatorAction
  readonly reason: string
  readonly operator: string
  readonly maxOrdersPerSec?: number | undefined
  /** Ask the aggregator to leave the scope as it is if it already has what this asks for (unless_already). */
  readonly unlessAlready?: boolean | undefined
}

export interface CommandContext {
  readonly now: () => number
  readonly newId: () => string
}

/** How long a command's sender waits for the state it asked for before it says nothing is enforcing it. */
export const CONFIRM_TIMEOUT_MS = 10_000

export const systemContext: CommandContext = { now: Date.now, newId: randomUUID }

/**
 * Builds an operator's command: the one path through which KILL, UNKILL and THROTTLE are asked
 * for by a person, whether from `riskctl kill` or the operator console. Bad input is a typed error
 * that says what is valid.
 */
export function buildOperatorCommand(input: OperatorCommandInput, context: CommandContext = systemContext): KillCommand {
  const scope = parseScope(input.scope)
  if (!scope.ok) {
    throw badInput('RISKCTL_SCOPE_INVALID', `Invalid scope: ${scope.problem}.`, [`Valid scopes: ${SCOPE_FORMS.join(' | ')}`])
  }
  if (!OPERATOR_IDENTITY.test(input.operator)) {
    throw badInput('RISKCTL_OPERATOR_INVALID', `Invalid operator name ${JSON.stringify(input.operator)}.`, [
      `An operator is ${OPERATOR_IDENTITY_FORM}.`,
    ])
  }
  if (input.reason.trim() === '') {
    throw badInput('RISKCTL_REASON_MISSING', 'A reason is required: it goes into the audit trail.', [
      'Add --reason "why you are doing this".',
    ])
  }
  if (input.action === 'THROTTLE' && !(Number.isInteger(input.maxOrdersPerSec) && (input.maxOrdersPerSec ?? 0) > 0)) {
    throw badInput('RISKCTL_THROTTLE_INVALID', 'A throttle needs max_orders_per_sec, a positive integer.', [
      'Add --max-orders-per-sec 10.',
    ])
  }
  const candidate = {
    cmd_id: context.newId(),
    ts: context.now(),
    scope: scope.text,
    action: input.action,
    reason: input.reason.trim(),
    triggered_by: 'operator',
    operator: input.operator,
    corr_id: context.newId(),
    ...(input.action === 'THROTTLE' ? { max_orders_per_sec: input.maxOrdersPerSec } : {}),
    ...(input.unlessAlready === true ? { unless_already: true } : {}),
  }
  const parsed = killCommandSchema.safeParse(candidate)
  if (!parsed.success) throw badInput('RISKCTL_COMMAND_INVALID', formatIssues(parsed.error))
  return parsed.data
}

/**
 * Any command of the operator channel, kill or limits, onto killswitch.commands.v1 under its scope, with its entry in
 * the operator-action trail: who, from where, through which channel.
 */
export async function publishCommand(log: EventLog, command: CommandRecord, origin: ActionOrigin): Promise<PublishedCommand> {
  return publishTrailed(log, command, origin)
}

import { createHash } from 'node:crypto'
import { commandSchema, isApprovalCommand, isLimitsCommand, type CommandRecord } from '../contracts/commands.js'
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

/**
 * The digest of a command as the aggregator decodes it: SHA-256 over its fields in key order (absent and undefined
 * alike left out), so that the operator channel and the aggregator, each from its own object, reach the same one.
 * The ALLOWED entry in the operator-action trail carries it (operator-voucher.ts).
 */
export function commandDigest(command: CommandRecord): string {
  return createHash('sha256').update(canonicalJson(command)).digest('hex')
}

/** The digest of a command record's bytes as the aggregator will read them; undefined when they are no command. */
export function digestOfEncoded(value: Buffer | null): string | undefined {
  const decoded = decodeJson(commandSchema, value)
  return decoded.ok ? commandDigest(decoded.value) : undefined
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

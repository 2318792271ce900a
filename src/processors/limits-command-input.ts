import { limitsCommandSchema } from '../contracts/risk-limits.js'
import { formatIssues } from '../contracts/format-issues.js'
import { OPERATOR_IDENTITY, OPERATOR_IDENTITY_FORM } from '../domain/kill-state.js'
import type { LimitsCommand } from '../domain/pretrade/limits-command.js'
import type { RiskLimits } from '../domain/pretrade/risk-limits.js'
import { parseScope } from '../domain/scope.js'
import { badInput } from '../errors.js'
import { systemContext, type CommandContext } from './operator-command.js'
import { parseSpan } from '../time-span.js'

export const LIMITS_SCOPE_FORMS = ['GLOBAL', 'ACCOUNT:<id>'] as const

/** The limits a `riskctl limits set` may change, as the flags (text) or the console's JSON (numbers) give them: checked here. */
export interface LimitsChangeInput {
  readonly maxQty?: string | number | undefined
  readonly maxNotional?: string | number | undefined
  readonly credit?: string | number | undefined
  readonly collarPct?: string | number | undefined
  readonly collarAbs?: string | number | undefined
  readonly messageRate?: string | number | undefined
  readonly allowWithoutReference?: boolean | undefined
  readonly restrict?: readonly string[] | undefined
  readonly unrestrict?: readonly string[] | undefined
}

export interface LimitsCommandInput extends LimitsChangeInput {
  readonly scope: string
  readonly reason: string
  readonly operator: string
  /** A span (30m, 2h, 1d): the change is temporary and reverts after it. */
  readonly expires?: string | undefined
}

export type NumberKind = 'integer' | 'positive' | 'non-negative'

/** Each numeric flag: the field it sets and what it must be. */
export const NUMERIC: readonly (readonly [keyof LimitsChangeInput, keyof RiskLimits, string, NumberKind])[] = [
  ['maxQty', 'max_order_qty', '--max-qty', 'integer'],
  ['maxNotional', 'max_order_notional', '--max-notional', 'positive'],
  ['credit', 'credit_limit', '--credit', 'non-negative'],
  ['collarPct', 'collar_pct', '--collar-pct', 'positive'],
  ['collarAbs', 'collar_abs', '--collar-abs', 'non-negative'],
  ['messageRate', 'message_rate', '--message-rate', 'integer'],
]

export const LIMIT_FORMS: Readonly<Record<NumberKind, string>> = {
  integer: 'a whole number above 0, e.g. 500',
  positive: 'a number above 0, e.g. 250000 or 2.5',
  'non-negative': 'a number of 0 or more, e.g. 1000000',
}

/**
 * An operator's SET_LIMITS, built the one way the operator channel builds commands: triggered_by is the channel's
 * ('operator'), never the caller's to choose, and the operator is a well-formed name. Bad input is a typed error
 * that says what is valid, before anything is published.
 */
export function buildLimitsCommand(input: LimitsCommandInput, context: CommandContext = systemContext): LimitsCommand {
  const scope = limitsScope(input.scope)
  if (!OPERATOR_IDENTITY.test(input.operator)) {
    throw badInput('RISKCTL_OPERATOR_INVALID', `Invalid operator name ${JSON.stringify(input.operator)}.`, [
      `An operator is ${OPERATOR_IDENTITY_FORM}.`,
    ])
  }
  if (input.reason.trim() === '') {
    throw badInput('RISKCTL_REASON_MISSING', 'A reason is required: it goes into the audit trail.', ['Add --reason "why you are doing this".'])
  }
  const limits: Record<string, number | boolean> = {}
  for (const [from, field, flag, kind] of NUMERIC) {
    const given = input[from] as string | number | undefined
    if (given !== undefined) limits[field] = numberOf(given, flag, kind)
  }
  if (input.allowWithoutReference !== undefined) limits.allow_without_reference = input.allowWithoutReference
  const restrict = input.restrict ?? []
  const unrestrict = input.unrestrict ?? []
  if (Object.keys(limits).length === 0 && restrict.length === 0 && unrestrict.length === 0) {
    throw badInput('RISKCTL_LIMITS_NOTHING', 'Nothing to change: name at least one limit or restricted symbol.', [
      'Limits: --max-qty N --max-notional N --credit N --collar-pct N --collar-abs N --message-rate N',
      'Symbols: --restrict SYMBOL --unrestrict SYMBOL (each repeatable); --[no-]allow-without-reference',
    ])
  }
  const now = context.now()
  const candidate = {
    cmd_id: context.newId(),
    ts: now,
    scope,
    action: 'SET_LIMITS',
    ...(Object.keys(limits).length === 0 ? {} : { limits }),
    ...(restrict.length === 0 ? {} : { restrict }),
    ...(unrestrict.length === 0 ? {} : { unrestrict }),
    ...(input.expires === undefined ? {} : { expires_ts: now + parseSpan(input.expires, '--expires') }),
    reason: input.reason.trim(),
    triggered_by: 'operator',
    operator: input.operator,
    corr_id: context.newId(),
  }
  const parsed = limitsCommandSchema.safeParse(candidate)
  if (!parsed.success) {
    throw badInput('RISKCTL_LIMITS_INVALID', `Invalid limits: ${formatIssues(parsed.error)}.`, [
      'Symbols are tickers such as AAPL or BRK.B; a symbol cannot be restricted and unrestricted at once.',
      'See: riskctl limits set --help',
    ])
  }
  return parsed.data
}

/** GLOBAL or ACCOUNT:<id>, canonical; any other scope is refused with the forms that are valid. */
export function limitsScope(text: string): string {
  const scope = parseScope(text)
  if (!scope.ok || (scope.scope.kind !== 'GLOBAL' && scope.scope.kind !== 'ACCOUNT')) {
    const problem = scope.ok ? `limits apply to the firm or an account, not ${scope.text}` : scope.problem
    throw badInput('RISKCTL_SCOPE_INVALID', `Invalid scope for limits: ${problem}.`, [`Valid scopes: ${LIMITS_SCOPE_FORMS.join(' | ')}`])
  }
  return scope.text
}

function numberOf(given: string | number, flag: string, kind: NumberKind): number {
  // Number('') is 0 and Number('0x10') is 16: only plain decimals are a limit.
  const value = typeof given === 'number' ? given : /^\d+(\.\d+)?$/.test(given.trim()) ? Number(given.trim()) : Number.NaN
  if (!isLimitValue(value, kind)) throw badInput('RISKCTL_LIMITS_INVALID', `${flag} ${JSON.stringify(given)} is not valid: it takes ${LIMIT_FORMS[kind]}.`)
  return value
}

/** Whether a number is a valid value of a limit of this kind. */
export function isLimitValue(value: number, kind: NumberKind): boolean {
  return Number.isFinite(value) && (kind === 'integer' ? Number.isSafeInteger(value) && value > 0 : kind === 'positive' ? value > 0 : value >= 0)
}

/**
 * The router's checks, in the order they run: the first that fails decides, and its code goes into the audit
 * record's `check` (ADR 0014). Kills and throttles keep precedence; checks that only read come before the three
 * that spend (duplicative window, message budget, credit), which spend only once every check has passed.
 */
export const CHECK_ORDER = [
  'DUPLICATE_ORDER_ID',
  'KILL_SWITCH',
  'THROTTLE',
  'LIMITS_UNKNOWN',
  'ORDER_VALUE',
  'RESTRICTED_SYMBOL',
  'MAX_ORDER_QTY',
  'MAX_ORDER_NOTIONAL',
  'NO_REFERENCE_PRICE',
  'PRICE_COLLAR',
  'DUPLICATIVE',
  'MESSAGE_RATE',
  'CREDIT_LIMIT',
] as const

export type CheckCode = (typeof CHECK_ORDER)[number]

const CODES: ReadonlySet<string> = new Set(CHECK_ORDER)

export function isCheckCode(text: string): text is CheckCode {
  return CODES.has(text)
}

/** The largest notional any check judges: above it, or not finite, an order's value means nothing (ORDER_VALUE). */
export const MAX_EVALUABLE_NOTIONAL = 1e15

/**
 * An account's pre-trade limits. Every field is optional in a limits record: what an account's record leaves out,
 * the firm's (GLOBAL) record gives, and what that leaves out, the topology's defaults (topologies/limits.json).
 * A limit that is undefined after all three does not apply.
 */
export interface RiskLimits {
  /** Largest quantity of one order. */
  readonly max_order_qty?: number | undefined
  /** Largest quantity × price of one order. */
  readonly max_order_notional?: number | undefined
  /** Largest gross notional let through in one trading day. */
  readonly credit_limit?: number | undefined
  /** Half the width of the price band around the reference price, in percent of it. */
  readonly collar_pct?: number | undefined
  /** The least half-width of the band, in price units: a cheap symbol's band is never narrower. */
  readonly collar_abs?: number | undefined
  /** Orders let through per second. */
  readonly message_rate?: number | undefined
  /** Whether an order may pass when its symbol has no fresh reference price (default: no, fail closed). */
  readonly allow_without_reference?: boolean | undefined
  /** Symbols this account may not trade; an account's list adds to the firm's. */
  readonly restricted_symbols?: readonly string[] | undefined
}

/** The numeric limits, each of which only a higher value loosens. */
export const CAPS = ['max_order_qty', 'max_order_notional', 'credit_limit', 'collar_pct', 'collar_abs', 'message_rate'] as const
export type Cap = (typeof CAPS)[number]

/** The limits an order of an account is held to: every field resolved, restricted symbols as a set. */
export interface EffectiveLimits {
  readonly max_order_qty: number | undefined
  readonly max_order_notional: number | undefined
  readonly credit_limit: number | undefined
  readonly collar_pct: number | undefined
  readonly collar_abs: number | undefined
  readonly message_rate: number | undefined
  readonly allow_without_reference: boolean
  readonly restricted_symbols: ReadonlySet<string>
  /**
   * Why the limits of the account, or of the firm, cannot be known (a record of risk_limits.v1 that could not be
   * read): every order of the account is dropped until an operator writes the scope's limits again.
   */
  readonly unknown?: string | undefined
}

/** The account's record wins over the firm's, which wins over the defaults; restricted lists add up. */
export function effectiveLimits(
  defaults: RiskLimits,
  firm: RiskLimits | undefined,
  account: RiskLimits | undefined,
): EffectiveLimits {
  const pick = <K extends keyof RiskLimits>(key: K): RiskLimits[K] => account?.[key] ?? firm?.[key] ?? defaults[key]
  return {
    max_order_qty: pick('max_order_qty'),
    max_order_notional: pick('max_order_notional'),
    credit_limit: pick('credit_limit'),
    collar_pct: pick('collar_pct'),
    collar_abs: pick('collar_abs'),
    message_rate: pick('message_rate'),
    allow_without_reference: pick('allow_without_reference') ?? false,
    restricted_symbols: new Set([
      ...(defaults.restricted_symbols ?? []),
      ...(firm?.restricted_symbols ?? []),
      ...(account?.restricted_symbols ?? []),
    ]),
  }
}

/**
 * What in `after` loosens `before`, field by field: a cap raised or removed, a symbol taken off the restricted
 * list, orders allowed without a reference price. Only an operator may loosen (ADR 0014); an empty list means the
 * change only tightens or leaves alone.
 */
export function loosenings(before: RiskLimits, after: RiskLimits): string[] {
  const found: string[] = []
  for (const cap of CAPS) {
    const was = before[cap]
    const now = after[cap]
    if (was !== undefined && (now === undefined || now > was)) found.push(`${cap} ${was} → ${now ?? 'none'}`)
  }
  if (after.allow_without_reference === true && before.allow_without_reference !== true) {
    found.push('allow_without_reference false → true')
  }
  const kept = new Set(after.restricted_symbols ?? [])
  for (const symbol of before.restricted_symbols ?? []) {
    if (!kept.has(symbol)) found.push(`restricted symbol ${symbol} removed`)
  }
  return found
}

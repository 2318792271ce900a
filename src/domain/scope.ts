/**
 * Kill-switch scopes. A scope names the set of orders a kill applies to; an order is matched by
 * GLOBAL and by the ACCOUNT, SYMBOL and STRATEGY scopes built from its own fields.
 */
export type ScopeKind = 'GLOBAL' | 'ACCOUNT' | 'SYMBOL' | 'STRATEGY'

export type Scope =
  | { kind: 'GLOBAL' }
  | { kind: 'ACCOUNT'; id: string }
  | { kind: 'SYMBOL'; id: string }
  | { kind: 'STRATEGY'; id: string }

export const SCOPE_FORMS = ['GLOBAL', 'ACCOUNT:<id>', 'SYMBOL:<ticker>', 'STRATEGY:<name>'] as const

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/
const TICKER_PATTERN = /^[A-Z][A-Z0-9.]{0,9}$/

export type ScopeParse = { ok: true; scope: Scope; text: string } | { ok: false; problem: string }

/** Parses `GLOBAL`, `ACCOUNT:<id>`, `SYMBOL:<ticker>` or `STRATEGY:<name>` (kind is case-insensitive). */
export function parseScope(input: string): ScopeParse {
  const text = input.trim()
  if (text.toUpperCase() === 'GLOBAL') return { ok: true, scope: { kind: 'GLOBAL' }, text: 'GLOBAL' }
  const colon = text.indexOf(':')
  if (colon < 0) return { ok: false, problem: `"${input}" has no kind prefix` }
  const kind = text.slice(0, colon).toUpperCase()
  const id = text.slice(colon + 1)
  switch (kind) {
    case 'ACCOUNT':
    case 'STRATEGY': {
      if (!ID_PATTERN.test(id)) {
        return { ok: false, problem: `"${id}" is not a valid ${kind.toLowerCase()} (letters, digits, . _ -; at most 64)` }
      }
      return { ok: true, scope: { kind, id }, text: `${kind}:${id}` }
    }
    case 'SYMBOL': {
      const ticker = id.toUpperCase()
      if (!TICKER_PATTERN.test(ticker)) {
        return { ok: false, problem: `"${id}" is not a valid ticker (A-Z, digits and '.', at most 10)` }
      }
      return { ok: true, scope: { kind, id: ticker }, text: `SYMBOL:${ticker}` }
    }
    default:
      return { ok: false, problem: `"${text.slice(0, colon)}" is not a scope kind` }
  }
}

export function formatScope(scope: Scope): string {
  return scope.kind === 'GLOBAL' ? 'GLOBAL' : `${scope.kind}:${scope.id}`
}

export function accountScope(accountId: string): string {
  return `ACCOUNT:${accountId}`
}

export function symbolScope(symbol: string): string {
  return `SYMBOL:${symbol}`
}

export function strategyScope(strategy: string): string {
  return `STRATEGY:${strategy}`
}

/**
 * The scopes that govern an order, most general first. The router looks each up in the kill state;
 * the order is built once per order, so this stays allocation-light.
 */
export function scopesForOrder(order: { account_id: string; symbol: string; strategy: string }): [
  string,
  string,
  string,
  string,
] {
  return ['GLOBAL', accountScope(order.account_id), symbolScope(order.symbol), strategyScope(order.strategy)]
}

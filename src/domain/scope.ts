import { canonicalId } from './identifiers.js'

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

export type ScopeParse = { ok: true; scope: Scope; text: string } | { ok: false; problem: string }

const ID_KINDS = { ACCOUNT: 'account', SYMBOL: 'symbol', STRATEGY: 'strategy' } as const

/**
 * Parses `GLOBAL`, `ACCOUNT:<id>`, `SYMBOL:<ticker>` or `STRATEGY:<name>`. The kind is case-insensitive and the
 * id is put in its canonical form (identifiers.ts), the same one an order's fields are matched in.
 */
export function parseScope(input: string): ScopeParse {
  const text = input.normalize('NFKC').trim()
  if (text.toUpperCase() === 'GLOBAL') return { ok: true, scope: { kind: 'GLOBAL' }, text: 'GLOBAL' }
  const colon = text.indexOf(':')
  if (colon < 0) return { ok: false, problem: `"${input}" has no kind prefix` }
  const kind = text.slice(0, colon).trim().toUpperCase()
  if (kind !== 'ACCOUNT' && kind !== 'SYMBOL' && kind !== 'STRATEGY') {
    return { ok: false, problem: `"${text.slice(0, colon)}" is not a scope kind` }
  }
  const id = canonicalId(ID_KINDS[kind], text.slice(colon + 1))
  if (!id.ok) return { ok: false, problem: id.problem }
  return { ok: true, scope: { kind, id: id.id }, text: `${kind}:${id.id}` }
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

import type { KillState } from './kill-status.js'
import { parseScope } from './scope.js'

/** The kill state as the decision reads it: lookups only, so nothing that decides an order can change it. */
export interface KillStateView {
  readonly size: number
  globalState(): KillState | undefined
  accountState(accountId: string): KillState | undefined
  symbolState(symbol: string): KillState | undefined
  strategyState(strategy: string): KillState | undefined
  get(scope: string): KillState | undefined
  activeKills(): KillState[]
  all(): KillState[]
}

/**
 * The latest kill state per scope, as the router holds it. Indexed by scope kind and raw id so that the hot
 * path looks an order's scopes up by its own fields, without building the scope strings scopesForOrder would
 * (the results are the same: a state for ACCOUNT:<id> matches exactly the orders scopesForOrder maps to it).
 */
export class KillStateTable implements KillStateView {
  private global: KillState | undefined
  private readonly accounts = new Map<string, KillState>()
  private readonly symbols = new Map<string, KillState>()
  private readonly strategies = new Map<string, KillState>()

  /** Records the latest state for its scope. False (and nothing recorded) if the scope does not parse. */
  apply(state: KillState): boolean {
    const parsed = parseScope(state.scope)
    if (!parsed.ok) return false
    const scope = parsed.scope
    if (scope.kind === 'GLOBAL') this.global = state
    else this.byKind(scope.kind).set(scope.id, state)
    return true
  }

  /** For a tombstone on the compacted topic. */
  remove(scope: string): boolean {
    const parsed = parseScope(scope)
    if (!parsed.ok) return false
    if (parsed.scope.kind !== 'GLOBAL') return this.byKind(parsed.scope.kind).delete(parsed.scope.id)
    const had = this.global !== undefined
    this.global = undefined
    return had
  }

  get(scope: string): KillState | undefined {
    const parsed = parseScope(scope)
    if (!parsed.ok) return undefined
    return parsed.scope.kind === 'GLOBAL' ? this.global : this.byKind(parsed.scope.kind).get(parsed.scope.id)
  }

  get size(): number {
    return (this.global === undefined ? 0 : 1) + this.accounts.size + this.symbols.size + this.strategies.size
  }

  /** Every KILLED scope, GLOBAL first, then accounts, symbols and strategies. */
  activeKills(): KillState[] {
    const killed: KillState[] = []
    if (this.global?.status === 'KILLED') killed.push(this.global)
    for (const map of [this.accounts, this.symbols, this.strategies]) {
      for (const state of map.values()) if (state.status === 'KILLED') killed.push(state)
    }
    return killed
  }

  /** Every scope's state, GLOBAL first, then accounts, symbols and strategies. */
  all(): KillState[] {
    const states = this.global === undefined ? [] : [this.global]
    // One by one: spread into push, a million scopes would overflow the call stack.
    for (const map of [this.accounts, this.symbols, this.strategies]) for (const state of map.values()) states.push(state)
    return states
  }

  globalState(): KillState | undefined {
    return this.global
  }

  accountState(accountId: string): KillState | undefined {
    return this.accounts.get(accountId)
  }

  symbolState(symbol: string): KillState | undefined {
    return this.symbols.get(symbol)
  }

  strategyState(strategy: string): KillState | undefined {
    return this.strategies.get(strategy)
  }

  private byKind(kind: 'ACCOUNT' | 'SYMBOL' | 'STRATEGY'): Map<string, KillState> {
    return kind === 'ACCOUNT' ? this.accounts : kind === 'SYMBOL' ? this.symbols : this.strategies
  }
}

import { enforcedLimits, type LimitsRecord } from './limits-command.js'
import { effectiveLimits, type EffectiveLimits, type RiskLimits } from './risk-limits.js'

/** The limits in force, to read: what the router decides with. Only the limits topic changes them. */
export interface LimitsView {
  limitsFor(account: string, nowMs: number): EffectiveLimits
  record(scope: string): LimitsRecord | undefined
  readonly size: number
}

interface Cached {
  readonly limits: EffectiveLimits
  /**
   * The span of the router's clock these limits hold for: from the last expiry they follow, until the next. A
   * clock stepped back before `from` must not keep limits from its future.
   */
  readonly from: number
  readonly until: number
}

/**
 * risk_limits.v1 as a router holds it, over the topology's defaults. Each account's effective limits are worked out
 * once and kept until a record changes or a temporary change behind them expires.
 */
export class LimitsTable {
  private readonly records = new Map<string, LimitsRecord>()
  /** Keys whose record could not be read, with the scope each leaves unknown and why. */
  private readonly unreadable = new Map<string, { readonly scope: string; readonly problem: string }>()
  private readonly cache = new Map<string, Cached>()
  readonly view: LimitsView

  constructor(private readonly defaults: RiskLimits) {
    const records = this.records
    this.view = {
      limitsFor: (account, nowMs) => this.limitsFor(account, nowMs),
      record: (scope) => records.get(scope),
      get size() {
        return records.size
      },
    }
  }

  /** A record of risk_limits.v1, filed under its scope's own key: that scope's limits from now on. */
  apply(record: LimitsRecord): void {
    this.records.set(record.scope, record)
    this.unreadable.delete(record.scope)
    this.cache.clear()
  }

  /**
   * A record under `key` that could not be read as limits, which leaves `scope`'s limits unknown: every order under
   * that scope is dropped until the key holds a readable record again, or a tombstone.
   */
  markUnknown(key: string, scope: string, problem: string): void {
    this.unreadable.set(key, { scope, problem })
    if (key === scope) this.records.delete(scope)
    this.cache.clear()
  }

  /** A tombstone: the key holds no record any more. */
  remove(key: string): void {
    this.records.delete(key)
    this.unreadable.delete(key)
    this.cache.clear()
  }

  private limitsFor(account: string, nowMs: number): EffectiveLimits {
    const cached = this.cache.get(account)
    if (cached !== undefined && nowMs >= cached.from && nowMs < cached.until) return cached.limits
    const firm = this.records.get('GLOBAL')
    const own = this.records.get(`ACCOUNT:${account}`)
    const resolved = effectiveLimits(
      this.defaults,
      firm === undefined ? undefined : enforcedLimits(firm, nowMs),
      own === undefined ? undefined : enforcedLimits(own, nowMs),
    )
    const unknown = this.unknownFor(account)
    const limits = unknown === undefined ? resolved : { ...resolved, unknown }
    let from = Number.NEGATIVE_INFINITY
    let until = Number.POSITIVE_INFINITY
    for (const record of [firm, own]) {
      const expires = record?.expires_ts
      if (expires === undefined) continue
      if (expires > nowMs) until = Math.min(until, expires)
      else from = Math.max(from, expires)
    }
    this.cache.set(account, { limits, from, until })
    return limits
  }

  private unknownFor(account: string): string | undefined {
    if (this.unreadable.size === 0) return undefined
    for (const [key, { scope, problem }] of this.unreadable) {
      if (scope === 'GLOBAL' || scope === `ACCOUNT:${account}`) return `the limits of ${scope} are unknown (key ${JSON.stringify(key)}: ${problem})`
    }
    return undefined
  }
}

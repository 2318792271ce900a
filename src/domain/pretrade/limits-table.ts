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

  /** A record of risk_limits.v1: its scope's limits from now on. */
  apply(record: LimitsRecord): void {
    this.records.set(record.scope, record)
    this.cache.clear()
  }

  /** A tombstone: the scope has no record of its own any more. */
  remove(scope: string): void {
    this.records.delete(scope)
    this.cache.clear()
  }

  private limitsFor(account: string, nowMs: number): EffectiveLimits {
    const cached = this.cache.get(account)
    if (cached !== undefined && nowMs >= cached.from && nowMs < cached.until) return cached.limits
    const firm = this.records.get('GLOBAL')
    const own = this.records.get(`ACCOUNT:${account}`)
    const limits = effectiveLimits(
      this.defaults,
      firm === undefined ? undefined : enforcedLimits(firm, nowMs),
      own === undefined ? undefined : enforcedLimits(own, nowMs),
    )
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
}

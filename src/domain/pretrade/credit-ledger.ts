import type { TradingDay } from './trading-day.js'
import type { UndoJournal } from './undo-journal.js'

/** Nasdaq's ladder: an account hears of its credit at half, three quarters and nine tenths of its limit. */
export const CREDIT_WARNING_STEPS = [0.5, 0.75, 0.9] as const

interface Usage {
  /** The start of the trading day `used` counts. */
  dayStart: number
  used: number
}

/**
 * What a spend crossed: the highest step of the ladder it took the account's usage over. Usage only grows within a
 * day, so each step is crossed once per account and day, and a restarted router, which restores the usage, does not
 * warn again of a step crossed before.
 */
export interface CreditWarning {
  readonly account_id: string
  readonly step: number
  readonly used: number
  readonly limit: number
  readonly dayStart: number
}

/**
 * Gross notional let through per account in the current trading day (ADR 0014). Spends are tentative, as the
 * router's remembered order_ids are: each leaves its undo in the journal, which the router confirms once their
 * write is durable or rolls back when it failed, so that orders read again are not judged against themselves.
 */
export class CreditLedger {
  private readonly usage = new Map<string, Usage>()

  constructor(
    private readonly day: TradingDay,
    private readonly journal: UndoJournal,
  ) {}

  /** Notional let through today for the account, as of `nowMs` (the router's clock). */
  used(account: string, nowMs: number): number {
    const entry = this.usage.get(account)
    return entry !== undefined && entry.dayStart >= this.day.startOf(nowMs) ? entry.used : 0
  }

  /** Whether `notional` more would take the account past `limit` today. */
  wouldExceed(account: string, notional: number, limit: number, nowMs: number): boolean {
    return this.used(account, nowMs) + notional > limit
  }

  /** Spends `notional` (tentatively); the warning it crosses into, if any, when the account has a limit. */
  spend(account: string, notional: number, limit: number | undefined, nowMs: number): CreditWarning | undefined {
    const dayStart = this.day.startOf(nowMs)
    const before = this.usage.get(account)
    const was = before === undefined ? undefined : { ...before }
    this.journal.record(() => (was === undefined ? this.usage.delete(account) : this.usage.set(account, was)))
    // The day never moves back: after the router's clock steps back over a day's start, spends still count
    // against the later day, as a throttle's second does, rather than opening a fresh credit line.
    const entry: Usage = before !== undefined && before.dayStart >= dayStart ? before : { dayStart, used: 0 }
    const usedBefore = entry.used
    entry.used += notional
    this.usage.set(account, entry)
    if (limit === undefined || !(limit > 0)) return undefined
    let crossed: number | undefined
    for (const step of CREDIT_WARNING_STEPS) if (usedBefore < step * limit && entry.used >= step * limit) crossed = step
    return crossed === undefined ? undefined : { account_id: account, step: crossed, used: entry.used, limit, dayStart: entry.dayStart }
  }

  /** Where the trading day of `nowMs` began. */
  dayStart(nowMs: number): number {
    return this.day.startOf(nowMs)
  }

  /** Forgets every account's usage: before the day's orders are read back again, so that none counts twice. */
  clear(): void {
    this.usage.clear()
  }

  /**
   * Counts what was let through before a (re)start, read back from orders.gated.v1: final at once, and only when
   * `atMs` (the deciding router's time of the record) falls in the trading day of `nowMs`. A time after `nowMs` is
   * another router's clock running ahead of this one (a takeover): it counts as now, never as nothing.
   */
  restore(account: string, notional: number, atMs: number, nowMs: number): void {
    const dayStart = this.day.startOf(nowMs)
    if (Math.min(atMs, nowMs) < dayStart) return
    const entry = this.usage.get(account)
    if (entry !== undefined && entry.dayStart === dayStart) entry.used += notional
    else this.usage.set(account, { dayStart, used: notional })
  }
}

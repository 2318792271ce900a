import type { UndoJournal } from './undo-journal.js'

interface Second {
  second: number
  count: number
}

/**
 * Orders let through per account in the current second of the router's clock (MESSAGE_RATE). As the throttle's
 * meter, the second never moves back: after a clock steps back, orders count against the later second.
 */
export class MessageRateMeter {
  private readonly seconds = new Map<string, Second>()

  constructor(private readonly journal: UndoJournal) {}

  /** Orders already let through for the account in the second of `nowMs`. */
  used(account: string, nowMs: number): number {
    const entry = this.seconds.get(account)
    return entry !== undefined && entry.second >= Math.floor(nowMs / 1000) ? entry.count : 0
  }

  /** One more order let through (tentatively). */
  allow(account: string, nowMs: number): void {
    const second = Math.floor(nowMs / 1000)
    const before = this.seconds.get(account)
    const was = before === undefined ? undefined : { ...before }
    this.journal.record(() => (was === undefined ? this.seconds.delete(account) : this.seconds.set(account, was)))
    if (before === undefined) this.seconds.set(account, { second, count: 1 })
    else if (second > before.second) this.seconds.set(account, { second, count: 1 })
    else before.count += 1
  }

  /**
   * An order let through before a (re)start, read back from orders.gated.v1 at `atMs` (the deciding router's time of
   * it): final at once, and counted only in the second of `nowMs`. A time after `nowMs` is another router's clock
   * running ahead of this one: it counts as now.
   */
  restore(account: string, atMs: number, nowMs: number): void {
    const second = Math.floor(nowMs / 1000)
    if (Math.floor(Math.min(atMs, nowMs) / 1000) !== second) return
    const entry = this.seconds.get(account)
    if (entry !== undefined && entry.second === second) entry.count += 1
    else this.seconds.set(account, { second, count: 1 })
  }

  /** Forgets every count: before the orders let through are read back again. */
  clear(): void {
    this.seconds.clear()
  }

  /** Accounts not heard from since `beforeMs` take no memory. */
  forgetBefore(beforeMs: number): void {
    const second = Math.floor(beforeMs / 1000)
    for (const [account, entry] of this.seconds) if (entry.second < second) this.seconds.delete(account)
  }
}

/**
 * The commands the aggregator took on a voucher (operator-voucher.ts), each until no voucher could vouch for a copy of
 * it any more. Only a vouched command enters, so whoever may write the commands topic cannot flood it out, as they can
 * the bounded memory of handled commands; it is pruned by time, never by count. Tentative like that memory: what a
 * batch adds counts once the batch's outputs are durable.
 */
export class SpentVouchers {
  private readonly confirmed = new Map<string, number>()
  private readonly pending = new Map<string, number>()

  has(identity: string): boolean {
    return this.confirmed.has(identity) || this.pending.has(identity)
  }

  add(identity: string, untilMs: number): void {
    this.pending.set(identity, untilMs)
  }

  /** Taken as handled already: read back from the log at a (re)start. */
  remember(identity: string, untilMs: number): void {
    this.confirmed.set(identity, untilMs)
  }

  confirm(): void {
    for (const [identity, until] of this.pending) this.confirmed.set(identity, until)
    this.pending.clear()
  }

  rollback(): void {
    this.pending.clear()
  }

  prune(nowMs: number): void {
    for (const [identity, until] of this.confirmed) if (until < nowMs) this.confirmed.delete(identity)
  }

  get size(): number {
    return this.confirmed.size
  }
}

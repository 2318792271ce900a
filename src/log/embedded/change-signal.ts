interface Waiter {
  readonly seenVersion: number
  readonly wake: () => void
}

/**
 * Wakes waiting consumers when the log changes: at once for an append from this process, and
 * within one poll interval for an append from another process (SQLite's data_version moves when
 * another connection commits). Polling only runs while someone waits.
 */
export class ChangeSignal {
  private readonly waiters = new Set<Waiter>()
  private timer: NodeJS.Timeout | undefined

  constructor(
    private readonly dataVersion: () => number,
    private readonly pollIntervalMs = 5,
  ) {}

  /** The version to pass to wait(): read it before looking for records, so no append slips by. */
  version(): number {
    return this.dataVersion()
  }

  /**
   * Resolves when another process has committed since `seenVersion`, this process appended, the
   * log closed, or `deadline` (epoch ms) passed, whichever is first.
   */
  wait(deadline: number, seenVersion: number): Promise<void> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        seenVersion,
        wake: () => {
          clearTimeout(timeout)
          this.waiters.delete(waiter)
          resolve()
        },
      }
      const timeout = setTimeout(waiter.wake, Math.max(0, deadline - Date.now()))
      this.waiters.add(waiter)
      this.schedule()
    })
  }

  notify(): void {
    for (const waiter of [...this.waiters]) waiter.wake()
  }

  private schedule(): void {
    if (this.timer !== undefined) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      if (this.waiters.size === 0) return
      let version: number
      try {
        version = this.dataVersion()
      } catch {
        // The connection closed under us: wake everyone so they see it.
        this.notify()
        return
      }
      for (const waiter of [...this.waiters]) if (waiter.seenVersion !== version) waiter.wake()
      if (this.waiters.size > 0) this.schedule()
    }, this.pollIntervalMs)
  }
}

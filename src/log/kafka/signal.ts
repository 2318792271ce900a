/**
 * Wakes whoever waits when something changed: records arrived for poll, or poll made room for the
 * fetch loop. A waiter also wakes at its deadline, so a missed notify costs time, never a hang.
 */
export class Signal {
  private waiters: (() => void)[] = []

  wait(timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, Math.max(0, timeoutMs))
      const waiters = this.waiters
      function done(): void {
        clearTimeout(timer)
        const index = waiters.indexOf(done)
        if (index >= 0) waiters.splice(index, 1)
        resolve()
      }
      waiters.push(done)
    })
  }

  notify(): void {
    for (const wake of this.waiters.splice(0)) wake()
  }
}

/**
 * What the router spent on decisions whose write is not yet durable (credit, message budget, the duplicative
 * window), as undo steps in the order they were taken. The write succeeds: confirm(n) forgets the oldest n. It
 * fails: rollback() undoes every step, newest first, so that the orders read again are judged as the first time.
 */
export class UndoJournal {
  private readonly steps: (() => void)[] = []

  record(undo: () => void): void {
    this.steps.push(undo)
  }

  get pending(): number {
    return this.steps.length
  }

  confirm(count = this.steps.length): void {
    this.steps.splice(0, count)
  }

  rollback(): void {
    for (let i = this.steps.length - 1; i >= 0; i -= 1) this.steps[i]!()
    this.steps.length = 0
  }
}

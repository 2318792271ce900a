/** The symbol id of an order counted without its symbol: a symbol's own window needs only how many. */
export const NO_SYMBOL = -1

const INITIAL_IDS = 64

/**
 * Symbols as small integers, so that windows keep them in typed arrays rather than in Maps of strings. An id lasts
 * while something holds it (a window counting an order of the symbol, the detector tracking the symbol's scope)
 * and is then given to the next new symbol, so the table grows with the symbols in play, not with every one seen.
 */
export class SymbolTable {
  private readonly ids = new Map<string, number>()
  private readonly names: string[] = []
  private holds = new Int32Array(INITIAL_IDS)
  private readonly freeIds: number[] = []
  private counts = new Int32Array(INITIAL_IDS)

  /** Symbols with an id. */
  get size(): number {
    return this.ids.size
  }

  /** The symbol's id, if something holds it. */
  find(name: string): number | undefined {
    return this.ids.get(name)
  }

  /** The symbol's id, given it if it has none, held once more: let go of it with release(). */
  hold(name: string): number {
    const known = this.ids.get(name)
    if (known !== undefined) {
      this.holds[known]! += 1
      return known
    }
    const id = this.freeIds.pop() ?? this.names.length
    if (id === this.names.length) {
      this.names.push(name)
      if (id === this.holds.length) this.grow()
    } else {
      this.names[id] = name
    }
    this.ids.set(name, id)
    this.holds[id] = 1
    return id
  }

  nameOf(id: number): string {
    return this.names[id]!
  }

  /** Holds an id already held once more. */
  holdAgain(id: number): void {
    this.holds[id]! += 1
  }

  release(id: number): void {
    if ((this.holds[id]! -= 1) === 0) this.forget(id)
  }

  /** The top-symbol tie-break: the alphabetically first, as strings compare. */
  isBefore(a: number, b: number): boolean {
    return this.names[a]! < this.names[b]!
  }

  /**
   * One count per id, all zero: a window tallies its symbols here and sets back to zero what it touched. Shared,
   * because a window is tallied only now and then and one array per window would cost more than the window.
   */
  get scratchCounts(): Int32Array {
    return this.counts
  }

  private forget(id: number): void {
    this.ids.delete(this.names[id]!)
    this.names[id] = ''
    this.freeIds.push(id)
  }

  private grow(): void {
    const holds = new Int32Array(this.holds.length * 2)
    holds.set(this.holds)
    this.holds = holds
    this.counts = new Int32Array(holds.length)
  }
}

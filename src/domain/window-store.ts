import { NO_SYMBOL, type SymbolTable } from './symbol-table.js'
import { WordArena, type Blocks } from './word-arena.js'

export interface WindowSettings {
  readonly windowMs: number
  /** Bucket size: the window slides one bucket at a time. */
  readonly slideMs: number
  /** How far behind the watermark an order may arrive and still be counted. */
  readonly allowedLatenessMs: number
}

export interface WindowMetrics {
  readonly orderCount: number
  readonly notional: number
  readonly avgNotional: number
  readonly uniqueSymbols: number
  readonly topSymbol: string | null
  /** topSymbol's orders over all orders; 0 for an empty window. */
  readonly topSymbolShare: number
  /** The window is [windowStart, windowEnd): whole buckets, ending with the newest one. */
  readonly windowStart: number
  readonly windowEnd: number
}

export type AddOutcome = 'added' | 'late'

/**
 * A bucket in the arena: a header of five words (its number less the window's base, its notional as a float64 in
 * two words, its order count, and how many words of symbol entries follow), then one entry per symbol: the symbol
 * id when the bucket has one order of it, or its id's complement (negative) followed by the count.
 */
const BUCKET = 0
const NOTIONAL = 1
const ORDERS = 3
const ENTRY_WORDS = 4
const HEADER = 5
/** The most an order adds: a bucket's header and one word of entry. */
const MOST_ADDED = HEADER + 1
const NO_SLOT = -1
/** Bucket numbers are kept relative to a base per window; past this they are rebased on the oldest bucket. */
const MAX_RELATIVE_BUCKET = 2 ** 30
const INITIAL_WINDOWS = 64

const float = new Float64Array(1)
const halves = new Int32Array(float.buffer)

function readFloat(words: Int32Array, at: number): number {
  halves[0] = words[at]!
  halves[1] = words[at + 1]!
  return float[0]!
}

function writeFloat(words: Int32Array, at: number, value: number): void {
  float[0] = value
  words[at] = halves[0]!
  words[at + 1] = halves[1]!
}

/**
 * Sliding event-time windows of slideMs buckets, any number of them, each known by a small integer. Tumbling
 * windows split a burst that straddles a boundary in two and miss it; these always look back a whole windowMs
 * from the newest bucket.
 *
 * Nothing here is an object per window. A window's scalars are one slot in typed-array columns, and its buckets
 * with orders are words in one arena shared by every window, oldest first, each bucket's symbols as ids from a
 * SymbolTable. So a window costs a few words per bucket and one or two per symbol in it however many orders
 * arrive, and its buckets' words are freed once they slide out.
 *
 * The top symbol is not worked out after every order. A window knows one symbol's count exactly (the leader's)
 * and a bound on every other's; that settles whether the top share reaches a limit unless it is close, and only
 * then, or when metrics are asked for, does the window tally its buckets.
 */
export class WindowStore implements Blocks {
  private readonly slideMs: number
  private readonly windowMs: number
  private readonly allowedLatenessMs: number
  private readonly bucketCount: number
  private readonly symbols: SymbolTable
  private readonly arena = new WordArena(this)
  private capacity = INITIAL_WINDOWS
  private opened = 0
  private readonly closed: number[] = []
  private watermarks = new Float64Array(INITIAL_WINDOWS)
  /** After a reset, orders from before it belong to the history that was wiped. */
  private floors = new Float64Array(INITIAL_WINDOWS)
  private newestEvents = new Float64Array(INITIAL_WINDOWS)
  private notionals = new Float64Array(INITIAL_WINDOWS)
  private bases = new Float64Array(INITIAL_WINDOWS)
  private counts = new Int32Array(INITIAL_WINDOWS)
  /** The buckets, in arena words starts..ends; the newest bucket's header, where nearly every order goes. */
  private starts = new Int32Array(INITIAL_WINDOWS)
  private ends = new Int32Array(INITIAL_WINDOWS)
  private newests = new Int32Array(INITIAL_WINDOWS)
  /** The leader's count is exact; no other symbol has more than the rivals' bound in the window. */
  private leaders = new Int32Array(INITIAL_WINDOWS)
  private leaderCounts = new Int32Array(INITIAL_WINDOWS)
  private rivalBounds = new Int32Array(INITIAL_WINDOWS)
  private lates = new Int32Array(INITIAL_WINDOWS)

  /** `symbols`: the table the windows' symbol ids come from. */
  constructor(settings: WindowSettings, symbols: SymbolTable) {
    const { windowMs, slideMs, allowedLatenessMs } = settings
    if (!(slideMs > 0) || !(windowMs >= slideMs) || windowMs % slideMs !== 0) {
      throw new RangeError(`windowMs (${windowMs}) must be a positive multiple of slideMs (${slideMs})`)
    }
    if (!(allowedLatenessMs >= 0))
      throw new RangeError(`allowedLatenessMs (${allowedLatenessMs}) must be >= 0`)
    if (windowMs / slideMs > MAX_RELATIVE_BUCKET)
      throw new RangeError(
        `windowMs / slideMs (${windowMs / slideMs}) must be at most ${MAX_RELATIVE_BUCKET}`,
      )
    this.windowMs = windowMs
    this.slideMs = slideMs
    this.allowedLatenessMs = allowedLatenessMs
    this.bucketCount = windowMs / slideMs
    this.symbols = symbols
  }

  /** A new, empty window. */
  open(): number {
    const window = this.closed.pop() ?? this.opened++
    if (window === this.capacity) this.growColumns()
    this.watermarks[window] = Number.NEGATIVE_INFINITY
    this.floors[window] = Number.NEGATIVE_INFINITY
    this.newestEvents[window] = Number.NEGATIVE_INFINITY
    this.notionals[window] = 0
    this.counts[window] = 0
    this.lates[window] = 0
    this.empty(window)
    return window
  }

  /** Forgets the window and its orders; its number may be given to the next window opened. */
  close(window: number): void {
    this.clear(window)
    this.closed.push(window)
  }

  /** The newest event time this window has seen or been advanced to. */
  watermark(window: number): number {
    return this.watermarks[window]!
  }

  /** The newest order's event time, or -Infinity before the first. */
  lastEventMs(window: number): number {
    return this.newestEvents[window]!
  }

  lateCount(window: number): number {
    return this.lates[window]!
  }

  orderCount(window: number): number {
    return this.counts[window]!
  }

  notional(window: number): number {
    return this.notionals[window]!
  }

  /** The buckets in use; never more than windowMs/slideMs. */
  bucketsInUse(window: number): number {
    const words = this.arena.words
    let used = 0
    for (let at = this.starts[window]!; at < this.ends[window]!; at += HEADER + words[at + ENTRY_WORDS]!)
      used++
    return used
  }

  /**
   * Counts an order at event time ts under a symbol id from the store's table (NO_SYMBOL: without one), unless it
   * is older than the watermark allows. The caller holds the id while it adds: dropping the window's old buckets
   * may let go of the id's last other hold.
   */
  add(window: number, ts: number, symbolId: number, notional: number): AddOutcome {
    if (ts < this.floors[window]! || ts < this.watermarks[window]! - this.allowedLatenessMs) {
      this.lates[window]! += 1
      return 'late'
    }
    this.advanceTo(window, ts)
    const bucket = Math.floor(ts / this.slideMs)
    if (bucket <= Math.floor(this.watermarks[window]! / this.slideMs) - this.bucketCount) {
      // Only reachable when allowedLatenessMs reaches back past the window itself.
      this.lates[window]! += 1
      return 'late'
    }
    // Room first: the arena may move the window's words, and nothing may move while the order is counted.
    this.arena.reserve(window, MOST_ADDED)
    const words = this.arena.words
    let slot = this.newests[window]!
    if (slot === NO_SLOT || this.bases[window]! + words[slot + BUCKET]! !== bucket)
      slot = this.slotOf(window, bucket)
    words[slot + ORDERS]! += 1
    writeFloat(words, slot + NOTIONAL, readFloat(words, slot + NOTIONAL) + notional)
    if (symbolId !== NO_SYMBOL) this.countSymbol(window, slot, symbolId)
    this.counts[window]! += 1
    this.notionals[window]! += notional
    if (ts > this.newestEvents[window]!) this.newestEvents[window] = ts
    return 'added'
  }

  /** Moves the window's event time forward to ts (never back), dropping buckets that fall out of it. */
  advanceTo(window: number, ts: number): void {
    if (ts <= this.watermarks[window]!) return
    this.watermarks[window] = ts
    const start = this.starts[window]!
    if (start === this.ends[window]!) return
    const lastOut = Math.floor(ts / this.slideMs) - this.bucketCount
    if (this.bases[window]! + this.arena.words[start + BUCKET]! <= lastOut) this.dropThrough(window, lastOut)
  }

  /** Forgets every order; orders stamped before fromMs will be refused as late from now on. */
  reset(window: number, fromMs: number): void {
    this.clear(window)
    if (fromMs > this.floors[window]!) this.floors[window] = fromMs
  }

  /** Forgets every order and lets go of their symbols. */
  clear(window: number): void {
    if (this.starts[window]! < this.ends[window]!) this.dropThrough(window, Number.POSITIVE_INFINITY)
  }

  /**
   * Whether the top symbol has at least `share` of the window's orders (an empty window's share is 0), without
   * tallying the buckets unless the leader's count and the rivals' bound leave it open.
   */
  hasTopShare(window: number, share: number): boolean {
    const orders = this.counts[window]!
    if (orders === 0) return 0 >= share
    const rivals = this.rivalBounds[window]!
    if (this.leaderCounts[window]! < rivals) {
      if (rivals / orders < share) return false
      if (this.leaderCounts[window]! / orders < share) this.tally(window)
    }
    return this.leaderCounts[window]! / orders >= share
  }

  metrics(window: number): WindowMetrics {
    const uniqueSymbols = this.tally(window)
    const orderCount = this.counts[window]!
    const notional = this.notionals[window]!
    const head = Math.floor(this.watermarks[window]! / this.slideMs)
    const windowEnd = Number.isFinite(head) ? (head + 1) * this.slideMs : 0
    const leader = this.leaders[window]!
    return {
      orderCount,
      notional,
      avgNotional: orderCount === 0 ? 0 : notional / orderCount,
      uniqueSymbols,
      topSymbol: leader === NO_SYMBOL ? null : this.symbols.nameOf(leader),
      topSymbolShare: orderCount === 0 ? 0 : this.leaderCounts[window]! / orderCount,
      windowStart: Math.max(0, windowEnd - this.windowMs),
      windowEnd,
    }
  }

  /** Gives back the room of windows that emptied or moved, once it is a quarter of the arena. */
  tidy(): void {
    this.arena.tidy()
  }

  /** For the arena: where each window's words are, and moving them. */
  blockCount(): number {
    return this.opened
  }

  liveStart(window: number): number {
    return this.starts[window]!
  }

  liveEnd(window: number): number {
    return this.ends[window]!
  }

  moved(window: number, by: number): void {
    this.starts[window]! += by
    this.ends[window]! += by
    if (this.newests[window] !== NO_SLOT) this.newests[window]! += by
  }

  /**
   * Counts every symbol's orders exactly: the top symbol (ties to the alphabetically first, so that replays give
   * the same answer) becomes the leader, and the runner-up's count the rivals' bound. Returns the distinct symbols.
   */
  private tally(window: number): number {
    const words = this.arena.words
    const start = this.starts[window]!
    const end = this.ends[window]!
    const counts = this.symbols.scratchCounts
    let unique = 0
    for (let at = start; at < end; at += HEADER + words[at + ENTRY_WORDS]!) {
      const entriesEnd = at + HEADER + words[at + ENTRY_WORDS]!
      for (let entry = at + HEADER; entry < entriesEnd; entry++) {
        const word = words[entry]!
        const id = word >= 0 ? word : ~word
        if (counts[id] === 0) unique++
        counts[id]! += word >= 0 ? 1 : words[++entry]!
      }
    }
    let top = NO_SYMBOL
    let topCount = 0
    let runnerUp = 0
    for (let at = start; at < end; at += HEADER + words[at + ENTRY_WORDS]!) {
      const entriesEnd = at + HEADER + words[at + ENTRY_WORDS]!
      for (let entry = at + HEADER; entry < entriesEnd; entry++) {
        const word = words[entry]!
        if (word < 0) entry++
        const id = word >= 0 ? word : ~word
        const count = counts[id]!
        if (count === 0) continue
        counts[id] = 0
        if (count > topCount || (count === topCount && this.symbols.isBefore(id, top))) {
          if (topCount > runnerUp) runnerUp = topCount
          top = id
          topCount = count
        } else if (count > runnerUp) {
          runnerUp = count
        }
      }
    }
    this.leaders[window] = top
    this.leaderCounts[window] = topCount
    this.rivalBounds[window] = runnerUp
    return unique
  }

  /** The header of the bucket, made if the bucket has no orders yet. */
  private slotOf(window: number, bucket: number): number {
    const words = this.arena.words
    const newest = this.newests[window]!
    if (newest === NO_SLOT) {
      this.bases[window] = bucket
      return this.appendSlot(window, 0)
    }
    if (bucket > this.bases[window]! + words[newest + BUCKET]!) {
      if (bucket - this.bases[window]! > MAX_RELATIVE_BUCKET) this.rebase(window)
      return this.appendSlot(window, bucket - this.bases[window]!)
    }
    // A late order for an older bucket: rare, so found by walking from the oldest.
    const relative = bucket - this.bases[window]!
    let at = this.starts[window]!
    for (; ; at += HEADER + words[at + ENTRY_WORDS]!) {
      const held = words[at + BUCKET]!
      if (held === relative) return at
      if (held > relative) break
    }
    this.openGap(window, at, HEADER)
    this.writeHeader(at, relative)
    return at
  }

  private appendSlot(window: number, relative: number): number {
    const at = this.ends[window]!
    this.ends[window] = at + HEADER
    this.writeHeader(at, relative)
    this.newests[window] = at
    return at
  }

  private writeHeader(at: number, relative: number): void {
    const words = this.arena.words
    words[at + BUCKET] = relative
    writeFloat(words, at + NOTIONAL, 0)
    words[at + ORDERS] = 0
    words[at + ENTRY_WORDS] = 0
  }

  /** Makes the oldest bucket the base, so that relative bucket numbers stay small however long a window lives. */
  private rebase(window: number): void {
    const words = this.arena.words
    const by = words[this.starts[window]! + BUCKET]!
    for (let at = this.starts[window]!; at < this.ends[window]!; at += HEADER + words[at + ENTRY_WORDS]!) {
      words[at + BUCKET]! -= by
    }
    this.bases[window]! += by
  }

  private countSymbol(window: number, slot: number, id: number): void {
    const words = this.arena.words
    const entriesEnd = slot + HEADER + words[slot + ENTRY_WORDS]!
    let entry = slot + HEADER
    for (; entry < entriesEnd; entry++) {
      const word = words[entry]!
      if (word === id) {
        // A second order of the symbol in this bucket: the entry takes a count.
        this.openGap(window, entry + 1, 1)
        words[entry] = ~id
        words[entry + 1] = 2
        words[slot + ENTRY_WORDS]! += 1
        break
      }
      if (word < 0 && ~word === id) {
        words[entry + 1]! += 1
        break
      }
      if (word < 0) entry++
    }
    if (entry >= entriesEnd) {
      this.openGap(window, entriesEnd, 1)
      words[entriesEnd] = id
      words[slot + ENTRY_WORDS]! += 1
      this.symbols.holdAgain(id)
    }
    if (id === this.leaders[window]) {
      this.leaderCounts[window]! += 1
    } else if (this.leaderCounts[window] === 0 && this.rivalBounds[window] === 0) {
      // The window's first order: its symbol leads.
      this.leaders[window] = id
      this.leaderCounts[window] = 1
    } else {
      this.rivalBounds[window]! += 1
    }
  }

  /** Moves the window's words from `at` on by `words`, into room the arena reserved. */
  private openGap(window: number, at: number, words: number): void {
    const end = this.ends[window]!
    if (at < end) this.arena.words.copyWithin(at + words, at, end)
    this.ends[window] = end + words
    if (this.newests[window]! >= at) this.newests[window]! += words
  }

  /** Drops the window's buckets numbered up to `lastOut`, oldest first, exactly as the window counted them. */
  private dropThrough(window: number, lastOut: number): void {
    const words = this.arena.words
    const base = this.bases[window]!
    const end = this.ends[window]!
    let leaderCount = this.leaderCounts[window]!
    const leader = this.leaders[window]!
    let at = this.starts[window]!
    while (at < end && base + words[at + BUCKET]! <= lastOut) {
      this.counts[window]! -= words[at + ORDERS]!
      this.notionals[window]! -= readFloat(words, at + NOTIONAL)
      // Floating-point subtraction leaves dust; an empty window has exactly zero notional.
      if (this.counts[window] === 0) this.notionals[window] = 0
      const entriesEnd = at + HEADER + words[at + ENTRY_WORDS]!
      for (let entry = at + HEADER; entry < entriesEnd; entry++) {
        const word = words[entry]!
        const id = word >= 0 ? word : ~word
        if (id === leader) leaderCount -= word >= 0 ? 1 : words[entry + 1]!
        if (word < 0) entry++
        this.symbols.release(id)
      }
      at = entriesEnd
    }
    this.leaderCounts[window] = leaderCount
    if (at === end) {
      this.arena.free(window)
      this.empty(window)
    } else {
      this.starts[window] = at
    }
  }

  /** The window with no buckets, no words and no leader. */
  private empty(window: number): void {
    this.starts[window] = 0
    this.ends[window] = 0
    this.newests[window] = NO_SLOT
    this.leaders[window] = NO_SYMBOL
    this.leaderCounts[window] = 0
    this.rivalBounds[window] = 0
  }

  private growColumns(): void {
    const capacity = Math.ceil(this.capacity * 1.5)
    const wider = <T extends Float64Array | Int32Array>(column: T, make: (length: number) => T): T => {
      const grown = make(capacity)
      grown.set(column)
      return grown
    }
    const floats = (length: number) => new Float64Array(length)
    const ints = (length: number) => new Int32Array(length)
    this.watermarks = wider(this.watermarks, floats)
    this.floors = wider(this.floors, floats)
    this.newestEvents = wider(this.newestEvents, floats)
    this.notionals = wider(this.notionals, floats)
    this.bases = wider(this.bases, floats)
    this.counts = wider(this.counts, ints)
    this.starts = wider(this.starts, ints)
    this.ends = wider(this.ends, ints)
    this.newests = wider(this.newests, ints)
    this.leaders = wider(this.leaders, ints)
    this.leaderCounts = wider(this.leaderCounts, ints)
    this.rivalBounds = wider(this.rivalBounds, ints)
    this.lates = wider(this.lates, ints)
    this.arena.growBlocks(capacity)
    this.capacity = capacity
  }
}

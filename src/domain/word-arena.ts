/** What a WordArena holds words for: numbered blocks, each with live words start..end that it may move. */
export interface Blocks {
  /** Blocks are numbered 0 up to this. */
  blockCount(): number
  liveStart(block: number): number
  liveEnd(block: number): number
  /** The block's live words now start `by` words further on. */
  moved(block: number, by: number): void
}

/** A block's first size, and how much room a block that fills up gets beyond what it needs. */
const MIN_BLOCK = 8
const BLOCK_GROWTH = 1.5
/** After a compaction, each block has this share of its live words free, and the arena this share of all. */
const COMPACTED_ROOM = 0.25
const ARENA_ROOM = 0.25
const MIN_WORDS = 1024
/** How much a full arena grows by when compacting would give back too little. */
const ARENA_GROWTH = 1.25
const INITIAL_BLOCKS = 64

/**
 * One Int32Array shared by many growing, shrinking blocks of words, rather than one typed array each: a typed
 * array costs about 180 bytes of heap before its first word, and each one outgrown is garbage for the collector.
 * A block that fills up moves to the top of the arena with half again the room it needs (or grows in place when it
 * is already at the top). When the arena is full it grows by a quarter, every block staying where it is, unless a
 * quarter of it is room that blocks left behind: then every block is compacted into a new arena instead, which
 * copies them all and so pays only when it gives back that much. tidy() compacts on the same terms. A block's
 * live words need not start at its start: the oldest are dropped from the front, and slid back only when that
 * frees a good share of the block.
 */
export class WordArena {
  /** Read again after every reserve(): compacting replaces it. */
  words = new Int32Array(MIN_WORDS)
  private readonly blocks: Blocks
  private blockStarts = new Int32Array(INITIAL_BLOCKS)
  private blockEnds = new Int32Array(INITIAL_BLOCKS)
  private top = 0
  private leftBehind = 0

  constructor(blocks: Blocks) {
    this.blocks = blocks
  }

  /** Makes room for at least `count` words after the block's live end; may move any block's words. */
  reserve(block: number, count: number): void {
    const end = this.blocks.liveEnd(block)
    if (end + count <= this.blockEnds[block]!) return
    const start = this.blocks.liveStart(block)
    const live = end - start
    const blockStart = this.blockStarts[block]!
    if (live + count <= this.blockEnds[block]! - blockStart && start - blockStart >= live / 2) {
      this.words.copyWithin(blockStart, start, end)
      this.blocks.moved(block, blockStart - start)
      return
    }
    const size = Math.max(MIN_BLOCK, Math.ceil((live + count) * BLOCK_GROWTH))
    if (this.blockEnds[block] === this.top && this.top > 0 && start + size <= this.words.length) {
      this.blockEnds[block] = start + size
      this.top = start + size
      return
    }
    if (this.top + size > this.words.length) {
      // Compacting copies every block; it pays only when it gives back a good share of the arena.
      if (this.leftBehind >= this.words.length / 4) {
        this.compact(block, size)
        return
      }
      this.grow(this.top + size)
    }
    this.words.copyWithin(this.top, start, end)
    this.free(block)
    this.blockStarts[block] = this.top
    this.blockEnds[block] = this.top + size
    this.blocks.moved(block, this.top - start)
    this.top += size
  }

  /** The block has no live words left: its room is left behind. */
  free(block: number): void {
    this.leftBehind += this.blockEnds[block]! - this.blockStarts[block]!
    this.blockStarts[block] = 0
    this.blockEnds[block] = 0
  }

  /** Compacts when more than a quarter of the arena is room blocks left behind. */
  tidy(): void {
    if (this.leftBehind > this.words.length / 4) this.compact(-1, 0)
  }

  /** Room for blocks numbered up to `capacity`. */
  growBlocks(capacity: number): void {
    const starts = new Int32Array(capacity)
    starts.set(this.blockStarts)
    const ends = new Int32Array(capacity)
    ends.set(this.blockEnds)
    this.blockStarts = starts
    this.blockEnds = ends
  }

  /** A longer arena with every block where it was. */
  private grow(atLeast: number): void {
    const words = new Int32Array(Math.max(atLeast, Math.ceil(this.words.length * ARENA_GROWTH)))
    words.set(this.words.subarray(0, this.top))
    this.words = words
  }

  /** Every block's live words into a new arena, with some room each; `growing` gets `size` words. */
  private compact(growing: number, size: number): void {
    const blockCount = this.blocks.blockCount()
    let total = 0
    for (let block = 0; block < blockCount; block++) total += this.compactedSize(block, growing, size)
    const words = new Int32Array(Math.max(MIN_WORDS, Math.ceil(total * (1 + ARENA_ROOM))))
    let top = 0
    for (let block = 0; block < blockCount; block++) {
      const blockSize = this.compactedSize(block, growing, size)
      const start = this.blocks.liveStart(block)
      if (blockSize === 0) {
        this.blockStarts[block] = 0
        this.blockEnds[block] = 0
        continue
      }
      words.set(this.words.subarray(start, this.blocks.liveEnd(block)), top)
      this.blockStarts[block] = top
      this.blockEnds[block] = top + blockSize
      this.blocks.moved(block, top - start)
      top += blockSize
    }
    this.words = words
    this.top = top
    this.leftBehind = 0
  }

  private compactedSize(block: number, growing: number, size: number): number {
    if (block === growing) return size
    const live = this.blocks.liveEnd(block) - this.blocks.liveStart(block)
    return live === 0 ? 0 : Math.max(MIN_BLOCK, live + Math.ceil(live * COMPACTED_ROOM))
  }
}

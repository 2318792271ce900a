import type { TailRecord } from '../services/tail.js'
import type { TailView } from './tail-view.js'

export interface FeedOptions {
  readonly signal: AbortSignal
  /** While true, no record is taken: the consumer waits, and the log keeps what arrives meanwhile. */
  readonly isPaused: () => boolean
  readonly now?: () => number
  readonly pauseCheckMs?: number
}

const YIELD_EVERY = 256

/**
 * Moves records into the view in the background, one at a time and without rendering. Pausing
 * stops pulling from the source, so nothing is dropped: on resume the view catches up.
 */
export async function feedTailView(
  records: AsyncIterable<TailRecord>,
  view: TailView,
  options: FeedOptions,
): Promise<void> {
  const now = options.now ?? Date.now
  const iterator = records[Symbol.asyncIterator]()
  let sinceYield = 0
  try {
    while (!options.signal.aborted) {
      // A backlog is served from memory without a macrotask in between; without this the redraw
      // timer and the keys would wait until the whole backlog had been read.
      if (++sinceYield >= YIELD_EVERY) {
        sinceYield = 0
        await new Promise((resolve) => setImmediate(resolve))
      }
      if (options.isPaused()) {
        await sleep(options.pauseCheckMs ?? 100, options.signal)
        continue
      }
      const next = await iterator.next()
      if (next.done === true) return
      view.ingest(next.value, now())
    }
  } finally {
    // Ends the source's own loop (the tail service closes its consumer there).
    await iterator.return?.()
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer)
      signal.removeEventListener('abort', done)
      resolve()
    }
    const timer = setTimeout(done, ms)
    signal.addEventListener('abort', done, { once: true })
  })
}

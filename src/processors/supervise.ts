import { abortableSleep } from '../abortable-sleep.js'
import type { Connectivity } from './connectivity.js'
import { isTransient } from './connectivity.js'

const FIRST_BACKOFF_MS = 250
const MAX_BACKOFF_MS = 5000

export interface SuperviseOptions {
  readonly connectivity: Connectivity
  /** For tests: how long to wait before the n-th retry in a row (1-based). */
  readonly backoffMs?: (attempt: number) => number
}

/**
 * Runs one attempt of a processor after another until `signal` aborts. An attempt that fails
 * transiently (see isTransient) is retried after a growing pause, from scratch: consumers are
 * reopened and resume from the group's commit, so what the failed attempt did not commit is done
 * again, and nothing committed is done twice. Any other failure ends the processor.
 */
export async function supervise(
  attempt: (signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
  options: SuperviseOptions,
): Promise<void> {
  const { connectivity } = options
  const backoff =
    options.backoffMs ?? ((n: number) => Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** (n - 1)))
  let failures = 0
  while (!signal.aborted) {
    try {
      await attempt(signal)
      return
    } catch (error) {
      if (signal.aborted && isTransient(error)) return
      if (!isTransient(error)) throw error
      // A failure after a healthy stretch starts the backoff over.
      if (connectivity.state === 'connected') failures = 0
      failures += 1
      connectivity.state = 'reconnecting'
      connectivity.reconnects += 1
      connectivity.lastError = error instanceof Error ? error.message : String(error)
      await abortableSleep(backoff(failures), signal)
    }
  }
}

/** Marks the attempt connected once it is working, and forgets the last failure. */
export function markConnected(connectivity: Connectivity): void {
  connectivity.state = 'connected'
  connectivity.lastError = undefined
}

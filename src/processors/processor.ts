import type { Connectivity } from './connectivity.js'

/** A long-running stage of the pipeline. `run` returns once `signal` aborts and its work is committed. */
export interface Processor {
  readonly name: string
  /** Whether it is working or waiting for the log to come back; absent for one that never retries. */
  readonly connectivity?: Connectivity
  run(signal: AbortSignal): Promise<void>
}

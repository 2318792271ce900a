/** A long-running stage of the pipeline. `run` returns once `signal` aborts and its work is committed. */
export interface Processor {
  readonly name: string
  run(signal: AbortSignal): Promise<void>
}

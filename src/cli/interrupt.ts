const SIGNALS = ['SIGINT', 'SIGTERM'] as const
type StopSignal = (typeof SIGNALS)[number]

export type { StopSignal }

export interface Interruption {
  /** Aborts at the first Ctrl+C or SIGTERM: services stop, close consumers and commit positions. */
  readonly signal: AbortSignal
  readonly interrupted: () => boolean
  /** Which signal came first: SIGTERM asks a service to stop (a supervisor's stop), SIGINT interrupts it. */
  readonly received: () => StopSignal | undefined
  dispose(): void
}

/**
 * The only place riskctl listens for SIGINT and SIGTERM. The first one aborts `signal` so the
 * command can stop cleanly (the base command then ends it with exit 130 after Ctrl+C; after SIGTERM, a run that
 * stopped itself and returned its result ends as that result says, since a supervisor's stop is no failure). A second one while it
 * shuts down ends the process at once, without process.exit: the listeners go and the signal is
 * raised again, so Node's default action ends the process and the shell reports 130 (or 143).
 */
export function listenForInterrupt(): Interruption {
  const controller = new AbortController()
  let first: StopSignal | undefined
  const dispose = (): void => {
    for (const name of SIGNALS) process.off(name, onSignal)
  }
  function onSignal(name: StopSignal): void {
    if (!controller.signal.aborted) {
      first = name
      return controller.abort()
    }
    dispose()
    process.kill(process.pid, name)
  }
  for (const name of SIGNALS) process.on(name, onSignal)
  return { signal: controller.signal, interrupted: () => controller.signal.aborted, received: () => first, dispose }
}

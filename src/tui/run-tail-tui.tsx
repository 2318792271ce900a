import { render } from 'ink'
import type { TailSource, TailStart } from '../services/tail-source.js'
import { TailApp } from './TailApp.js'
import { feedTailView } from './tail-feed.js'
import { TailView } from './tail-view.js'
import { topicsToRead } from './view-topics.js'

export interface TailTuiOptions {
  readonly source: TailSource
  /** One pane per topic, in order; names already checked. */
  readonly topics: readonly string[]
  readonly from: TailStart
  readonly color: boolean
  /** Aborted by SIGINT/SIGTERM from outside; keys end the view on their own (q quits, Ctrl+C interrupts). */
  readonly signal?: AbortSignal
  readonly stdout?: NodeJS.WriteStream
  readonly stdin?: NodeJS.ReadStream
}

export type TailTuiOutcome = 'quit' | 'interrupted'

/**
 * Runs the live view until the operator quits or the process is interrupted, then closes the
 * consumer before returning. Records are read in the background; the screen redraws on a timer.
 */
export async function runTailTui(options: TailTuiOptions): Promise<TailTuiOutcome> {
  const view = new TailView({ topics: options.topics, startedAt: Date.now() })
  // From the beginning the state topic replays the kills itself; from anywhere else they are read first.
  if (options.from.type !== 'earliest') view.seedDashboard(await options.source.killState())
  const stop = new AbortController()
  const interrupted = new Promise<TailTuiOutcome>((resolve) => {
    if (options.signal?.aborted) resolve('interrupted')
    options.signal?.addEventListener('abort', () => resolve('interrupted'), { once: true })
  })
  let paused = false
  let keyInterrupt = false
  const records = options.source.follow(topicsToRead(options.topics), options.from, stop.signal)
  const feed = feedTailView(records, view, { signal: stop.signal, isPaused: () => paused })
  const app = render(
    <TailApp
      view={view}
      color={options.color}
      publish={(request) => options.source.publish(request)}
      onPauseChange={(next) => {
        paused = next
      }}
      onInterrupt={() => {
        keyInterrupt = true
      }}
    />,
    {
      exitOnCtrlC: false,
      ...(options.stdout === undefined ? {} : { stdout: options.stdout }),
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    },
  )
  try {
    return await Promise.race([
      app.waitUntilExit().then((): TailTuiOutcome => (keyInterrupt ? 'interrupted' : 'quit')),
      interrupted,
      // The feed ends only when stopped; if it fails (the log went away), the view ends with its error.
      feed.then(() => new Promise<never>(() => undefined)),
    ])
  } finally {
    app.unmount()
    stop.abort()
    await feed.catch(() => undefined)
  }
}

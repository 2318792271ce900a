import { render } from 'ink'
import type { EventLog, StartPosition } from '../log/port.js'
import { createOperatorPublisher, followTopics, readKillState } from './log-sources.js'
import { TailApp } from './TailApp.js'
import { feedTailView } from './tail-feed.js'
import { TailView } from './tail-view.js'
import { topicsToRead } from './view-topics.js'

export interface TailTuiOptions {
  readonly log: EventLog
  /** One pane per topic, in order; names already checked. */
  readonly topics: readonly string[]
  readonly from: StartPosition
  readonly color: boolean
  /** Who kills and unkills from the view: it goes into the command and the audit trail. */
  readonly operator: string
  /** Aborted by SIGINT/SIGTERM from outside; keys (q, Ctrl+C) end the view on their own. */
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
  if (options.from.type !== 'earliest') view.seedDashboard(await readKillState(options.log))
  const stop = new AbortController()
  const interrupted = new Promise<TailTuiOutcome>((resolve) => {
    if (options.signal?.aborted) resolve('interrupted')
    options.signal?.addEventListener('abort', () => resolve('interrupted'), { once: true })
  })
  let paused = false
  const records = followTopics(options.log, topicsToRead(options.topics), options.from, stop.signal)
  const feed = feedTailView(records, view, { signal: stop.signal, isPaused: () => paused })
  const app = render(
    <TailApp
      view={view}
      color={options.color}
      publish={createOperatorPublisher(options.log, options.operator)}
      onPauseChange={(next) => {
        paused = next
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
      app.waitUntilExit().then((): TailTuiOutcome => 'quit'),
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

import { render } from 'ink'
import type { DemoPart } from '../../demo/demo-context.js'
import { DemoRunner } from '../../demo/demo-runner.js'
import type { DemoSession } from '../../demo/demo-session.js'
import { runEveryPart, summarise, type DemoResult } from '../../demo/run-demo.js'
import type { TailSource } from '../../services/tail-source.js'
import { feedTailView } from '../tail-feed.js'
import { TailView } from '../tail-view.js'
import { DEFAULT_VIEW_TOPICS, topicsToRead } from '../view-topics.js'
import { DemoApp } from './DemoApp.js'

export interface DemoTuiOptions {
  readonly session: Pick<DemoSession, 'context'>
  /** The live panes' records. */
  readonly source: TailSource
  readonly parts: readonly DemoPart[]
  /** Every part in order, unattended; also when there is no terminal to read keys from. */
  readonly auto: boolean
  readonly color: boolean
  /** Aborted by SIGINT/SIGTERM from outside: the walkthrough stops as on q. */
  readonly signal: AbortSignal
  readonly stdout?: NodeJS.WriteStream
  readonly stdin?: NodeJS.ReadStream
}

/**
 * Runs the walkthrough on the demo screen until its end, q, or an interrupt, then unmounts the
 * screen and stops the runner; the session (processors, background flows) is the caller's to close.
 */
export async function runDemoTui(options: DemoTuiOptions): Promise<DemoResult> {
  const { session, parts } = options
  const startedAt = Date.now()
  const view = new TailView({ topics: DEFAULT_VIEW_TOPICS, startedAt })
  // A --data-dir from an earlier run may hold kills already; the header shows them from the start.
  view.seedDashboard(await options.source.killState())
  const stopFeed = new AbortController()
  // From a time rather than the end: the first part may produce before the consumer has found the end.
  const from = { type: 'timestamp', timestamp: startedAt } as const
  const records = options.source.follow(topicsToRead(DEFAULT_VIEW_TOPICS), from, stopFeed.signal)
  // Without the panes the walkthrough still works, so a failing feed only freezes them.
  const feed = feedTailView(records, view, { signal: stopFeed.signal, isPaused: () => false }).catch(
    () => undefined,
  )

  const runner = new DemoRunner({
    parts,
    context: (signal, emit) => session.context(signal, emit),
    // The screen reads the runner at its own frame rate.
    onChange: () => undefined,
  })
  const stopped = new AbortController()
  let resolveResult: (result: DemoResult) => void = () => undefined
  const result = new Promise<DemoResult>((resolve) => {
    resolveResult = resolve
  })
  const finish = (quit: boolean, interrupted = false): void => {
    if (stopped.signal.aborted) return
    stopped.abort()
    const snapshot = runner.snapshot()
    void runner.quit().then(() => resolveResult(summarise(snapshot, quit, interrupted)))
  }
  if (options.signal.aborted) finish(true)
  options.signal.addEventListener('abort', () => finish(true), { once: true })

  const app = render(
    <DemoApp runner={runner} view={view} color={options.color} auto={options.auto} onFinish={finish} />,
    {
      exitOnCtrlC: false,
      ...(options.stdout === undefined ? {} : { stdout: options.stdout }),
      ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
    },
  )
  if (options.auto) void runEveryPart(runner, parts.length, stopped.signal).then(() => finish(false))
  else void runner.start()
  try {
    return await result
  } finally {
    app.unmount()
    await app.waitUntilExit().catch(() => undefined)
    stopFeed.abort()
    await feed
  }
}

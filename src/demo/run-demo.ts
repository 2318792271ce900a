import readline from 'node:readline'
import type { ChalkInstance } from 'chalk'
import type { DemoEvent, DemoPart } from './demo-context.js'
import { DemoRunner, type DemoSnapshot } from './demo-runner.js'
import type { DemoSession } from './demo-session.js'
import { renderDemoEvent, renderPartTitle } from './plain-presenter.js'

export interface PlainDemoOptions {
  readonly session: DemoSession
  readonly parts: readonly DemoPart[]
  readonly auto: boolean
  readonly style: ChalkInstance
  readonly write: (text: string) => void
  readonly signal: AbortSignal
  /** Key presses from the presenter; absent when stdin is not a terminal (then it runs unattended). */
  readonly input?: NodeJS.ReadStream | undefined
}

export interface DemoResult {
  readonly completed: number
  readonly failed: readonly string[]
  readonly quit: boolean
  /** Ctrl+C as a key (a raw-mode terminal): the command ends with 130, as on the signal. */
  readonly interrupted: boolean
}

/**
 * The walkthrough as plain lines: unattended with --auto (or without a terminal), otherwise the
 * presenter drives it with Enter (next), b (back), r (rerun) and q (quit).
 */
export async function runPlainDemo(options: PlainDemoOptions): Promise<DemoResult> {
  const { style, write, parts } = options
  let printed = 0
  let shownPart = -1
  const runner = new DemoRunner({
    parts,
    context: (signal, emit) => options.session.context(signal, emit),
    onChange: (snapshot: DemoSnapshot) => {
      if (snapshot.current !== shownPart && snapshot.current < parts.length) {
        shownPart = snapshot.current
        printed = 0
        write(renderPartTitle(parts[snapshot.current]!.title, snapshot.current, parts.length, style))
      }
      for (const event of snapshot.events.slice(printed)) write(renderDemoEvent(event as DemoEvent, style))
      printed = snapshot.events.length
    },
  })

  if (options.auto || !options.input) {
    await runEveryPart(runner, parts.length, options.signal)
    const snapshot = runner.snapshot()
    await runner.quit()
    return summarise(snapshot, options.signal.aborted)
  }

  const input = options.input
  readline.emitKeypressEvents(input)
  input.setRawMode(true)
  input.resume()
  write(style.dim('\nEnter: next part · b: back · r: run this part again · q: quit'))
  try {
    return await new Promise<DemoResult>((resolve) => {
      const finish = (quit: boolean, interrupted = false): void => {
        input.off('keypress', onKey)
        const snapshot = runner.snapshot()
        void runner.quit().then(() => resolve(summarise(snapshot, quit, interrupted)))
      }
      const onKey = (_text: string, key: { name?: string; ctrl?: boolean }): void => {
        if (key.ctrl && key.name === 'c') return finish(true, true)
        if (key.name === 'q') return finish(true)
        if (key.name === 'return' || key.name === 'enter' || key.name === 'space') {
          if (runner.isLast) return finish(false)
          void runner.next()
        } else if (key.name === 'b') void runner.back()
        else if (key.name === 'r') void runner.rerun()
      }
      input.on('keypress', onKey)
      options.signal.addEventListener('abort', () => finish(true), { once: true })
      void runner.start()
    })
  } finally {
    input.setRawMode(false)
    input.pause()
  }
}

/** The unattended walkthrough: every part in order, each to its end, until `signal` stops it between parts. */
export async function runEveryPart(
  runner: DemoRunner,
  partCount: number,
  signal: AbortSignal,
): Promise<void> {
  for (let i = 0; i < partCount && !signal.aborted; i += 1) {
    if (i === 0) await runner.start()
    else await runner.next()
  }
}

/** Taken before the runner quits: leaving a part aborts it, and an aborted part would count as done. */
export function summarise(snapshot: DemoSnapshot, quit: boolean, interrupted = false): DemoResult {
  return {
    interrupted,
    completed: snapshot.parts.filter((part) => part.status === 'done').length,
    failed: snapshot.parts.filter((part) => part.status === 'failed').map((part) => part.title),
    quit,
  }
}

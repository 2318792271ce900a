import chalk from 'chalk'
import { render } from 'ink-testing-library'
import { afterEach, describe, expect, it, vi } from 'vitest'
import type { DemoContext, DemoEvent, DemoPart } from '../../../src/demo/demo-context.js'
import { DemoRunner } from '../../../src/demo/demo-runner.js'
import type { EventLog } from '../../../src/log/port.js'
import { DemoApp } from '../../../src/tui/demo/DemoApp.js'
import type { TerminalSize } from '../../../src/tui/layout.js'
import { TailView } from '../../../src/tui/tail-view.js'
import { DEFAULT_VIEW_TOPICS } from '../../../src/tui/view-topics.js'
import { audit } from './records.js'
import { waitFor } from './wait-for.js'

const ENTER = '\r'
const WIDE: TerminalSize = { columns: 120, rows: 40 }
const REMEDIES = [
  'Check the generator: riskctl generate --mode normal --duration 30',
  'Check the topics exist: riskctl topics create',
]

/** Until the presenter leaves the part, as a real part's pauses do. */
const held = (context: DemoContext) =>
  new Promise<void>((resolve) => context.signal.addEventListener('abort', () => resolve(), { once: true }))

const part = (title: string, events: DemoEvent[], hold = true): DemoPart => ({
  id: title,
  title,
  minutes: 1,
  async run(context) {
    for (const event of events) context.emit(event)
    if (hold) await held(context)
  },
})

const PARTS: DemoPart[] = [
  part('Part 1 · Architecture', [
    { type: 'say', text: 'Three roles, kept apart.' },
    { type: 'command', line: 'riskctl tail orders.v1 risk_signals.v1' },
    { type: 'show', text: 'generator ──orders.v1──► router' },
  ]),
  part(
    'Part 2 · Normal operation',
    [{ type: 'problem', text: 'No order has been routed yet.', remedies: REMEDIES }],
    false,
  ),
  part('Key takeaways', [{ type: 'say', text: 'Knight Capital had no such switch.' }]),
]

/** The parts need nothing of the session: they only emit and wait. */
const fakeContext = (signal: AbortSignal, emit: (event: DemoEvent) => void): DemoContext => ({
  log: {} as EventLog,
  consoleUrl: 'http://127.0.0.1:0',
  operator: 'local:demo',
  token: 'token',
  dataDir: '/nowhere',
  cli: 'riskctl',
  signal,
  emit,
  pause: () => Promise.resolve(),
  background: () => undefined,
  stopBackground: () => Promise.resolve(),
  seconds: (scriptSeconds) => scriptSeconds,
})

function mount(options: { auto?: boolean; size?: TerminalSize; color?: boolean } = {}) {
  const runner = new DemoRunner({ parts: PARTS, context: fakeContext, onChange: () => undefined })
  const view = new TailView({ topics: DEFAULT_VIEW_TOPICS, startedAt: Date.now() })
  const finishes: boolean[] = []
  const app = render(
    <DemoApp
      runner={runner}
      view={view}
      color={options.color ?? false}
      auto={options.auto ?? false}
      onFinish={(quit) => finishes.push(quit)}
      frameMs={20}
      size={options.size ?? WIDE}
    />,
  )
  void runner.start()
  const frameWith = (...texts: string[]) =>
    waitFor(
      () => {
        const frame = app.lastFrame() ?? ''
        return texts.every((text) => frame.includes(text)) ? frame : undefined
      },
      () => app.lastFrame() ?? '(no frame)',
    )
  // Ink starts listening for keys in an effect after the first frame: leave it a moment around each key.
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      await new Promise((resolve) => setTimeout(resolve, 30))
      app.stdin.write(key)
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
  }
  return { app, runner, view, finishes, frameWith, press }
}

describe('DemoApp', () => {
  const mounted: { app: { unmount: () => void }; runner: DemoRunner }[] = []
  const track = <T extends { app: { unmount: () => void }; runner: DemoRunner }>(it: T): T => {
    mounted.push(it)
    return it
  }
  afterEach(async () => {
    for (const { app, runner } of mounted.splice(0)) {
      app.unmount()
      await runner.quit()
    }
  })

  it('shows the part, its number, the agenda, the keys and the part’s narration, command and output', async () => {
    const { frameWith } = track(mount())
    const frame = await frameWith('Three roles')
    const lines = frame.split('\n')
    expect(lines[0]).toBe('Part 1 · Architecture (1/3) · running')
    expect(lines[1]).toBe('▶ Architecture  ○ Normal operation  ○ Key takeaways')
    expect(lines[2]).toBe('Enter next · b back · r rerun · q quit')
    expect(lines[3]).toBe('  Three roles, kept apart.')
    expect(lines[4]).toBe('$ riskctl tail orders.v1 risk_signals.v1')
    expect(lines[5]).toBe('  generator ──orders.v1──► router')
  })

  it('shows the live panes below the part, with the dashboard header', async () => {
    const { view, frameWith } = track(mount())
    view.ingest(audit('DROP'), Date.now())
    const frame = await frameWith('dropped 1')
    const lines = frame.split('\n')
    const header = lines.findIndex((line) => line.startsWith('riskctl tail ·'))
    expect(header).toBeGreaterThan(lines.findIndex((line) => line.includes('Three roles')))
    expect(
      lines.filter((line) => line.includes('orders.v1 0 ·') && line.includes('audit.v1 1 ·')),
    ).toHaveLength(1)
    expect(frame).toContain('DROP 1234')
    expect(lines.length).toBeLessThan(WIDE.rows)
    for (const line of lines) expect(line.length).toBeLessThan(WIDE.columns)
  })

  it('moves to the next part on Enter', async () => {
    const { runner, frameWith, press } = track(mount())
    const next = vi.spyOn(runner, 'next')
    await frameWith('Three roles')
    await press(ENTER)
    expect(next).toHaveBeenCalledTimes(1)
    const frame = await frameWith('Part 2 · Normal operation (2/3)')
    expect(frame).not.toContain('Three roles')
  })

  it('shows a problem with its remedies, and marks the part failed', async () => {
    const { frameWith, press } = track(mount())
    await frameWith('Three roles')
    await press(' ')
    const frame = await frameWith('No order has been routed yet.')
    expect(frame).toContain('✘ No order has been routed yet.')
    expect(frame).toContain('  Try this:')
    for (const remedy of REMEDIES) expect(frame).toContain(`- ${remedy}`)
    expect(frame).toContain('✔ Architecture  ✘ Normal operation')
  })

  it('goes back on b and runs the part again on r', async () => {
    const { runner, frameWith, press } = track(mount())
    const back = vi.spyOn(runner, 'back')
    const rerun = vi.spyOn(runner, 'rerun')
    await frameWith('Three roles')
    await press(ENTER)
    await frameWith('(2/3)')
    await press('b')
    await frameWith('Part 1 · Architecture (1/3)')
    await press('r')
    expect(back).toHaveBeenCalledTimes(1)
    expect(rerun).toHaveBeenCalledTimes(1)
  })

  it('quits on q, once', async () => {
    const { finishes, frameWith, press } = track(mount())
    await frameWith('Three roles')
    await press('q', 'q', ENTER)
    expect(finishes).toEqual([true])
  })

  it('quits on Ctrl+C', async () => {
    const { finishes, frameWith, press } = track(mount())
    await frameWith('Three roles')
    await press('\u0003')
    expect(finishes).toEqual([true])
  })

  it('finishes on Enter at the last part', async () => {
    const { finishes, frameWith, press } = track(mount())
    await frameWith('Three roles')
    await press(ENTER)
    await frameWith('(2/3)')
    await press(ENTER)
    expect(await frameWith('Key takeaways (3/3)')).toContain('Enter finish')
    expect(finishes).toEqual([])
    await press(ENTER)
    expect(finishes).toEqual([false])
  })

  it('runs unattended with --auto: Enter does nothing, q still quits', async () => {
    const { runner, finishes, frameWith, press } = track(mount({ auto: true }))
    const next = vi.spyOn(runner, 'next')
    expect(await frameWith('Three roles')).toContain('running unattended · q quit')
    await press(ENTER, 'b')
    expect(next).not.toHaveBeenCalled()
    await press('q')
    expect(finishes).toEqual([true])
  })

  it('leaves the panes out of a short terminal, keeping the part', async () => {
    const { frameWith } = track(mount({ size: { columns: 100, rows: 14 } }))
    const frame = await frameWith('Three roles', 'riskctl tail ·')
    expect(frame).not.toContain('orders.v1 0 ·')
  })

  it('colours the screen only when colour is on', async () => {
    const level = chalk.level
    chalk.level = 3
    try {
      const colored = track(mount({ color: true }))
      expect(await colored.frameWith('Three roles')).toContain('\u001B[')
      const plain = track(mount({ color: false }))
      expect(await plain.frameWith('Three roles')).not.toContain('\u001B[')
    } finally {
      chalk.level = level
    }
  })
})

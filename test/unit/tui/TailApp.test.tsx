import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import chalk from 'chalk'
import { render } from 'ink-testing-library'
import { afterEach, describe, expect, it } from 'vitest'
import { KILL_COMMANDS, TOPICS } from '../../../topologies/topics.js'
import { openEmbeddedLog } from '../../../src/log/embedded/embedded-log.js'
import type { EventLog } from '../../../src/log/port.js'
import { decodeValue } from '../../../src/services/decode-value.js'
import { createTailSource } from '../../../src/services/tail-source.js'
import type { TerminalSize } from '../../../src/tui/layout.js'
import type { PublishOperatorCommand } from '../../../src/tui/operator-request.js'
import { TailApp } from '../../../src/tui/TailApp.js'
import { TailView } from '../../../src/tui/tail-view.js'
import { DEFAULT_VIEW_TOPICS } from '../../../src/tui/view-topics.js'
import { audit, creditWarning, order, state } from './records.js'
import { waitFor } from './wait-for.js'

const KEYS = { tab: '\t', down: '\u001B[B', enter: '\r', escape: '\u001B' }
const WIDE: TerminalSize = { columns: 200, rows: 40 }
const refuse: PublishOperatorCommand = () => Promise.reject(new Error('not in this test'))

function mount(
  options: { view?: TailView; publish?: PublishOperatorCommand; size?: TerminalSize; color?: boolean } = {},
) {
  const view = options.view ?? new TailView({ topics: DEFAULT_VIEW_TOPICS, startedAt: Date.now() })
  const pauses: boolean[] = []
  const app = render(
    <TailApp
      view={view}
      color={options.color ?? false}
      publish={options.publish ?? refuse}
      frameMs={20}
      onPauseChange={(paused) => pauses.push(paused)}
      {...(options.size === undefined ? {} : { size: options.size })}
    />,
  )
  const frameWith = (text: string | RegExp) =>
    waitFor(
      () => {
        const frame = app.lastFrame() ?? ''
        return (typeof text === 'string' ? frame.includes(text) : text.test(frame)) ? frame : undefined
      },
      () => app.lastFrame() ?? '(no frame)',
    )
  // Ink listens for keys from an effect after the first frame, and reads them asynchronously (an Esc
  // waits to see whether a sequence follows): leave it a moment on both sides of each key.
  const press = async (...keys: string[]) => {
    for (const key of keys) {
      await new Promise((resolve) => setTimeout(resolve, 30))
      app.stdin.write(key)
      await new Promise((resolve) => setTimeout(resolve, 30))
    }
  }
  return { app, view, pauses, frameWith, press }
}

describe('TailApp', () => {
  const apps: { unmount: () => void }[] = []
  const track = <T extends { app: { unmount: () => void } }>(mounted: T): T => {
    apps.push(mounted.app)
    return mounted
  }
  afterEach(() => {
    for (const app of apps.splice(0)) app.unmount()
  })

  it('renders the five topic titles side by side, and stacked in a narrow terminal', async () => {
    for (const size of [WIDE, { columns: 100, rows: 40 }]) {
      const { frameWith } = track(mount({ size }))
      const frame = await frameWith('audit.v1')
      for (const topic of DEFAULT_VIEW_TOPICS) expect(frame).toContain(topic)
      const titleRows = frame
        .split('\n')
        .filter((line) => DEFAULT_VIEW_TOPICS.some((topic) => line.includes(topic)))
      expect(titleRows).toHaveLength(size === WIDE ? 1 : 5)
    }
  })

  it('shows a DROP decision in the audit pane and counts it in the header', async () => {
    const { view, frameWith } = track(mount({ size: { columns: 100, rows: 40 } }))
    view.ingest(order('12345'), Date.now())
    view.ingest(audit('DROP'), Date.now())
    const frame = await frameWith('dropped 1')
    const lines = frame.split('\n')
    const title = lines.findIndex((line) => line.includes('audit.v1'))
    expect(lines[title]).toMatch(/audit\.v1 1 ·/)
    expect(lines[title + 1]).toContain('DROP 12345 AAPL Kill switch active for ACCOUNT:12345')
    expect(lines.findIndex((line) => line.includes('DROP'))).toBe(title + 1)
  })

  it('shows an active kill in the header, and drops it once the scope is ACTIVE again', async () => {
    const { view, frameWith } = track(mount({ size: WIDE }))
    view.ingest(state('ACCOUNT:12345', 'KILLED'), Date.now())
    const killed = await frameWith('ACTIVE KILLS 1')
    expect(killed.split('\n')[0]).toContain('ACTIVE KILLS 1: ACCOUNT:12345 KILLED')
    view.ingest(state('ACCOUNT:12345', 'ACTIVE'), Date.now())
    expect((await frameWith('no active kills')).split('\n')[0]).not.toContain('ACCOUNT:12345')
  })

  it("shows the accounts past a step of their credit ladder on the header's second line, highest first", async () => {
    const { view, frameWith } = track(mount({ size: WIDE }))
    view.ingest(creditWarning('10001', 50), Date.now())
    view.ingest(creditWarning('20002', 90), Date.now())
    const frame = await frameWith('credit 20002 90% 10001 50%')
    expect(frame.split('\n')[1]).toMatch(/dropped 0 .*credit 20002 90% 10001 50%/)
    for (const account of ['30003', '40004', '50005']) view.ingest(creditWarning(account, 75), Date.now())
    expect((await frameWith('+1')).split('\n')[1]).toContain('credit 20002 90% 30003 75% 40004 75% 50005 75% +1')
  })

  it('moves focus to the next pane with Tab', async () => {
    const { frameWith, press } = track(mount({ size: WIDE }))
    expect(await frameWith('▶ orders.v1')).not.toContain('▶ risk_signals.v1')
    await press(KEYS.tab)
    expect(await frameWith('▶ risk_signals.v1')).not.toContain('▶ orders.v1')
  })

  it('pauses on p: shows PAUSED and tells the feed', async () => {
    const { frameWith, press, pauses } = track(mount({ size: WIDE }))
    expect(await frameWith('orders.v1')).not.toContain('PAUSED')
    await press('p')
    expect((await frameWith('PAUSED')).split('\n')[0]).toMatch(/PAUSED$/)
    expect(pauses.at(-1)).toBe(true)
    await press('p')
    expect(await frameWith(/^(?![\s\S]*PAUSED)/)).not.toContain('PAUSED')
    expect(pauses.at(-1)).toBe(false)
  })

  it('expands the selected record as JSON with Enter and closes it with Esc', async () => {
    const { view, frameWith, press } = track(mount({ size: WIDE }))
    view.ingest(order('12345', { order_id: 'o-expand' }), Date.now())
    await frameWith('12345 BUY')
    await press(KEYS.down)
    await frameWith('› ')
    await press(KEYS.enter)
    expect(await frameWith('"order_id": "o-expand"')).toContain('Esc or Enter closes')
    await press(KEYS.escape)
    expect(await frameWith('killswitch.state.v1')).not.toContain('"order_id"')
  })

  it('re-lays out on resize: stacked at 100 columns, side by side once the terminal is 200 wide', async () => {
    // No size given: the app measures the (test) terminal and listens for resize.
    const { app, frameWith } = track(mount())
    const titleRows = (frame: string) => frame.split('\n').filter((line) => line.includes('.v1 0 ·')).length
    expect(titleRows(await frameWith('audit.v1'))).toBe(5)
    Object.defineProperty(app.stdout, 'columns', { get: () => 200 })
    app.stdout.emit('resize')
    expect(titleRows(await frameWith(/orders\.v1 0 ·.*audit\.v1 0 ·/))).toBe(1)
  })

  it('takes records without rendering: frames come from the timer, not from each record', async () => {
    const { app, view, frameWith } = track(mount({ size: WIDE }))
    await frameWith('orders.v1')
    const framesBefore = app.frames.length
    for (let n = 0; n < 500; n += 1) view.ingest(order(String(n)), Date.now())
    expect(app.frames.length).toBe(framesBefore)
    expect(await frameWith('orders.v1 500 ·')).toContain('499 BUY')
  })

  it('never colours the view when colour is off, even where Ink could', async () => {
    const level = chalk.level
    chalk.level = 3
    try {
      const colored = track(mount({ size: WIDE, color: true }))
      colored.view.ingest(audit('DROP'), Date.now())
      expect(await colored.frameWith('DROP')).toContain('\u001B[')
      const plain = track(mount({ size: WIDE, color: false }))
      plain.view.ingest(audit('DROP'), Date.now())
      expect(await plain.frameWith('DROP')).not.toContain('\u001B[')
    } finally {
      chalk.level = level
    }
  })
})

describe('TailApp kill and unkill (real embedded log)', () => {
  let dir: string | undefined
  let log: EventLog | undefined
  afterEach(async () => {
    await log?.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('asks for a reason on k and publishes the KILL on Enter, as the operator', async () => {
    // Given a view over a real log, with an order of account 12345 selected
    dir = await mkdtemp(path.join(tmpdir(), 'riskctl-tui-kill-'))
    log = await openEmbeddedLog({ dataDir: path.join(dir, 'data') })
    await log.createTopics(TOPICS)
    const { app, view, frameWith, press } = mount({
      size: WIDE,
      publish: createTailSource(log, 'tester').publish,
    })
    try {
      view.ingest(order('12345'), Date.now())
      await frameWith('12345 BUY')
      await press(KEYS.down, 'k')
      // When the operator gives a reason and presses Enter
      expect(await frameWith('KILL ACCOUNT:12345 reason:')).toContain('Enter sends · Esc cancels')
      await press('runaway algo', KEYS.enter)
      // Then the status line confirms, and the command is on killswitch.commands.v1
      expect(await frameWith('KILL ACCOUNT:12345 sent as tester')).toContain(`${KILL_COMMANDS}[`)
      const consumer = await log.consumer({ topics: [KILL_COMMANDS], from: { type: 'earliest' } })
      const records = await consumer.poll({ maxWaitMs: 1000 })
      await consumer.close()
      expect(records).toHaveLength(1)
      expect(records[0]?.key).toBe('ACCOUNT:12345')
      expect(decodeValue(records[0]!.value)).toMatchObject({
        scope: 'ACCOUNT:12345',
        action: 'KILL',
        reason: 'runaway algo',
        operator: 'tester',
        triggered_by: 'operator',
      })
    } finally {
      app.unmount()
    }
  })

  it('shows why a command was refused in the status line', async () => {
    const failing: PublishOperatorCommand = () => Promise.reject(new Error('log unavailable'))
    const { app, view, frameWith, press } = mount({ size: WIDE, publish: failing })
    try {
      view.ingest(order('12345'), Date.now())
      await frameWith('12345 BUY')
      await press(KEYS.down, 'u', 'checked', KEYS.enter)
      expect(await frameWith('log unavailable')).toContain('Tab/←→ pane')
    } finally {
      app.unmount()
    }
  })
})

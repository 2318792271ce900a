import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { RiskSignal } from '../../src/domain/risk-signal.js'
import type { TopicBatch } from '../../src/log/port.js'
import { AUDIT, KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS } from '../../topologies/topics.js'
import { createTempDir, RUN_JS } from '../helpers/cli.js'
import { anOrder } from '../helpers/fixtures.js'
import { BROKERS, createRiskctlTopics, openTestLog, resetRiskctlTopics, sleep } from './support.js'

/**
 * The five-pane `riskctl tail` on the broker, in a real terminal: tmux gives it a pseudo-terminal
 * of a chosen size and capture-pane reads back what a person would see, as the embedded-log test
 * (test/e2e/tail-tui.test.ts) does. Each test has its own tmux server.
 */
const TITLES = [ORDERS, RISK_SIGNALS, KILL_COMMANDS, KILL_STATE, AUDIT]
const ACCOUNT = '424242'
const SCOPE = `ACCOUNT:${ACCOUNT}`

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value))

/** One record for each pane, all about one account, as the pipeline would write them. */
function oneRecordPerPane(): TopicBatch[] {
  const now = Date.now()
  const signal: RiskSignal = {
    ts: now,
    account_id: ACCOUNT,
    window_start: now - 60_000,
    window_end: now,
    order_count: 150,
    total_notional: 2_842_500,
    avg_notional: 18_950,
    unique_symbols: 1,
    top_symbol: 'AAPL',
    top_symbol_share: 1,
  }
  const command: KillCommand = {
    cmd_id: 'cmd-tui',
    ts: now,
    scope: SCOPE,
    action: 'KILL',
    reason: 'runaway algo',
    triggered_by: 'operator',
    operator: 'alice',
    corr_id: 'corr-tui',
  }
  const state: KillState = {
    scope: SCOPE,
    status: 'KILLED',
    updated_ts: now,
    updated_by: 'alice',
    reason: 'runaway algo',
    last_cmd_id: 'cmd-tui',
    corr_id: 'corr-tui',
  }
  const audit: AuditRecord = {
    ts: now,
    decision: 'DROP',
    order_id: 'o-tui',
    account_id: ACCOUNT,
    symbol: 'AAPL',
    strategy: 'momentum',
    scope_matches: [SCOPE],
    killswitch_status: 'KILLED',
    reason: `Kill switch active for ${SCOPE}`,
    corr_id: 'corr-tui',
    service: 'router',
  }
  return [
    {
      topic: ORDERS,
      records: [{ key: ACCOUNT, value: json(anOrder({ order_id: 'o-tui', account_id: ACCOUNT })) }],
    },
    { topic: RISK_SIGNALS, records: [{ key: ACCOUNT, value: json(signal) }] },
    { topic: KILL_COMMANDS, records: [{ key: SCOPE, value: json(command) }] },
    { topic: KILL_STATE, records: [{ key: SCOPE, value: json(state) }] },
    { topic: AUDIT, records: [{ key: 'o-tui', value: json(audit) }] },
  ]
}

/** What each pane shows of its record (time first, then the compact line). */
const EXPECTED: Record<string, RegExp> = {
  [ORDERS]: new RegExp(`\\d\\d:\\d\\d:\\d\\d ${ACCOUNT} BUY 100 AAPL @189\\.5`),
  [RISK_SIGNALS]: new RegExp(`\\d\\d:\\d\\d:\\d\\d ${ACCOUNT} n=150 \\$2\\.8M AAPL`),
  [KILL_COMMANDS]: new RegExp(`\\d\\d:\\d\\d:\\d\\d KILL ${SCOPE}`),
  [KILL_STATE]: new RegExp(`\\d\\d:\\d\\d:\\d\\d KILLED ${SCOPE}`),
  [AUDIT]: new RegExp(`\\d\\d:\\d\\d:\\d\\d DROP ${ACCOUNT}`),
}

/** Stacked panes: the screen rows from each title down to the next one. */
function stackedPanes(screen: string): Map<string, string> {
  const lines = screen.split('\n')
  const starts = TITLES.map((title) => ({
    title,
    row: lines.findIndex((line) => new RegExp(`^\\s*(▶ )?${title.replaceAll('.', '\\.')} `).test(line)),
  })).sort((a, b) => a.row - b.row)
  if (starts[0]!.row < 0) throw new Error(`no title line for ${starts[0]!.title}:\n${screen}`)
  return new Map(
    starts.map(({ title, row }, i) => [title, lines.slice(row + 1, starts[i + 1]?.row).join('\n')]),
  )
}

/** Side by side: the rows from the titles down, cut at the columns where the panes' titles begin. */
function sideBySidePanes(screen: string): Map<string, string> {
  const lines = screen.split('\n')
  const titleRow = lines.findIndex((line) => TITLES.every((title) => line.includes(`${title} `)))
  if (titleRow < 0) throw new Error(`no row with all five titles:\n${screen}`)
  const columns = TITLES.map((title) => ({ title, from: lines[titleRow]!.indexOf(`${title} `) })).sort(
    (a, b) => a.from - b.from,
  )
  return new Map(
    columns.map(({ title, from }, i) => [
      title,
      lines
        .slice(titleRow)
        .map((line) => line.slice(from, columns[i + 1]?.from))
        .join('\n'),
    ]),
  )
}

describe('riskctl tail --brokers: the live view on Kafka, in a real terminal', () => {
  let dir: { path: string; remove: () => Promise<void> }
  let socket: string
  let screen = ''

  const tmux = (...args: string[]) =>
    execa('tmux', ['-S', socket, '-f', '/dev/null', ...args], { env: { TERM: 'xterm-256color' } })
  const capture = async (): Promise<string> => {
    screen = (await tmux('capture-pane', '-p', '-t', 'tail')).stdout
    return screen
  }
  /** The view of the five default panes in a terminal of this size; the shell reports its exit code. */
  const start = async (columns: number) => {
    const tail = [
      process.execPath,
      RUN_JS,
      'tail',
      '--brokers',
      BROKERS.join(','),
      // From now rather than the end: what is produced while the view starts up still counts.
      '--from',
      String(Date.now()),
    ]
      .map(quote)
      .join(' ')
    // CI variables are removed: under them Ink draws only the last frame.
    const env = `env -u CI -u CONTINUOUS_INTEGRATION -u RISKCTL_BROKERS RISKCTL_DATA_DIR=${quote(path.join(dir.path, 'data'))}`
    const command = `${env} ${tail}; echo "exited $?"; sleep 600`
    await tmux('new-session', '-d', '-s', 'tail', '-x', String(columns), '-y', '40', command)
  }
  const screenShowing = async (check: (text: string) => boolean, timeoutMs = 60_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const text = await capture()
      if (check(text)) return text
      if (Date.now() > deadline) throw new Error(`Timed out; last seen:\n${screen}`)
      await sleep(200)
    }
  }
  const showsTitles = (text: string) => TITLES.every((title) => text.includes(title))
  const produceOnePerPane = async () => {
    const log = await openTestLog()
    try {
      await log.write(oneRecordPerPane())
    } finally {
      await log.close()
    }
  }

  beforeAll(async () => {
    await resetRiskctlTopics()
    await createRiskctlTopics()
  })
  beforeEach(async () => {
    dir = await createTempDir()
    // A socket of its own inside the temp dir: no clash with a user's tmux, and removed with the dir.
    socket = path.join(dir.path, 'tmux.sock')
  })
  afterEach(async () => {
    await tmux('kill-server').catch(() => undefined)
    await dir.remove()
  })

  it('stacks the five panes in 100 columns and shows each record in its own pane, then quits on q', async () => {
    await start(100)
    await screenShowing(showsTitles)

    // When one record is produced to each of the five topics…
    await produceOnePerPane()

    // …each shows up under its own topic's title, counted there, and the header counts the drop.
    const text = await screenShowing((t) => TITLES.every((title) => EXPECTED[title]!.test(t)))
    const panes = stackedPanes(text)
    for (const title of TITLES) {
      expect(panes.get(title), `the ${title} pane`).toMatch(EXPECTED[title]!)
      for (const other of TITLES.filter((each) => each !== title)) {
        expect(panes.get(title), `the ${title} pane, for a ${other} record`).not.toMatch(EXPECTED[other]!)
      }
      expect(text).toMatch(new RegExp(`${title.replaceAll('.', '\\.')} 1 ·`))
    }
    await screenShowing((t) => t.includes('dropped 1') && t.includes(`ACTIVE KILLS 1:`))
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(100)

    await tmux('send-keys', '-t', 'tail', 'q')
    await screenShowing((t) => t.includes('exited 0'))
  })

  it('lays the five panes side by side in 200 columns, each record under its own title', async () => {
    await start(200)
    const empty = await screenShowing(showsTitles)
    const titleRows = empty.split('\n').filter((line) => TITLES.some((title) => line.includes(title)))
    expect(titleRows).toHaveLength(1)

    await produceOnePerPane()

    const text = await screenShowing((t) => TITLES.every((title) => EXPECTED[title]!.test(t)))
    const panes = sideBySidePanes(text)
    for (const title of TITLES) expect(panes.get(title), `the ${title} pane`).toMatch(EXPECTED[title]!)
    for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(200)
  })
})

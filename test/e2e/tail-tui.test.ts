import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTempDir, RUN_JS, runCli, spawnCli } from '../helpers/cli.js'
import { anOrder } from '../helpers/fixtures.js'

/**
 * The live view in a real terminal: tmux gives `riskctl tail` a pseudo-terminal of a chosen size,
 * and capture-pane reads back what a person would see. Each test has its own tmux server.
 */
const TITLES = ['orders.v1', 'risk_signals.v1', 'killswitch.commands.v1', 'killswitch.state.v1', 'audit.v1']

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`

const auditDrop = (account: string): string =>
  JSON.stringify({
    ts: Date.now(),
    decision: 'DROP',
    order_id: 'o-tui',
    account_id: account,
    symbol: 'AAPL',
    strategy: 'momentum',
    scope_matches: [`ACCOUNT:${account}`],
    killswitch_status: 'KILLED',
    reason: `Kill switch active for ACCOUNT:${account}`,
    corr_id: 'corr-tui',
    service: 'router',
  })

const order = (account: string): string => JSON.stringify(anOrder({ order_id: 'o-live', account_id: account }))

async function waitUntil<T>(
  check: () => Promise<T | undefined>,
  describe: () => string,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out; last seen:\n${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}

describe('riskctl tail live view (real terminal via tmux)', () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let socket: string
  let screen = ''

  const tmux = (...args: string[]) =>
    execa('tmux', ['-S', socket, '-f', '/dev/null', ...args], { env: { TERM: 'xterm-256color' } })
  const capture = async (): Promise<string> => {
    screen = (await tmux('capture-pane', '-p', '-t', 'tail')).stdout
    return screen
  }
  /**
   * Starts `riskctl tail` in a terminal of this size; the shell reports its exit code when it ends.
   * CI variables are removed: under them Ink draws only the last frame and chalk drops colour.
   */
  const start = async (columns: number, args: string[] = [], env: Record<string, string> = {}) => {
    const vars = { RISKCTL_DATA_DIR: dataDir, ...env }
    const assignments = Object.entries(vars).map(([name, value]) => `${name}=${quote(value)}`)
    const tail = [process.execPath, RUN_JS, 'tail', ...args].map(quote).join(' ')
    const command = `env -u CI -u CONTINUOUS_INTEGRATION ${assignments.join(' ')} ${tail}; echo "exited $?"; sleep 600`
    await tmux('new-session', '-d', '-s', 'tail', '-x', String(columns), '-y', '40', command)
  }
  const screenShowing = (...texts: string[]) =>
    waitUntil(
      async () => {
        const text = await capture()
        return texts.every((t) => text.includes(t)) ? text : undefined
      },
      () => screen,
    )

  beforeEach(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
    // A socket of its own inside the temp dir: no clash with a user's tmux, and removed with the dir.
    socket = path.join(dir.path, 'tmux.sock')
    expect((await runCli(['topics', 'create'], { dataDir })).exitCode).toBe(0)
  })
  afterEach(async () => {
    await tmux('kill-server').catch(() => undefined)
    await dir.remove()
  })

  for (const columns of [80, 200]) {
    it(`shows all five panes at ${columns} columns`, async () => {
      await start(columns)
      const text = await screenShowing(...TITLES)
      const titleRows = text.split('\n').filter((line) => TITLES.some((title) => line.includes(title)))
      // Side by side from 120 columns, stacked below.
      expect(titleRows).toHaveLength(columns >= 120 ? 1 : 5)
      for (const line of text.split('\n')) expect(line.length).toBeLessThanOrEqual(columns)
    })
  }

  it('shows a record produced meanwhile, and quits on q with exit 0', async () => {
    await start(200, ['--from', String(Date.now())])
    await screenShowing(...TITLES)
    expect((await runCli(['produce', 'audit.v1'], { dataDir, input: auditDrop('424242') })).exitCode).toBe(0)
    const text = await screenShowing('DROP 424242', 'dropped 1')
    expect(text).toMatch(/audit\.v1 1 ·/)
    await tmux('send-keys', '-t', 'tail', 'q')
    await screenShowing('exited 0')
  })

  it('ends with exit 130 on Ctrl+C in the view, as the same key does outside it', async () => {
    await start(200, ['--from', String(Date.now())])
    await screenShowing(...TITLES)
    await tmux('send-keys', '-t', 'tail', 'C-c')
    await screenShowing('exited 130')
  })

  it('colours the view, and draws it without colour codes under NO_COLOR', async () => {
    // SGR foreground colours: 30–37, 90–97, or 38;… (extended).
    const colour = new RegExp(`${String.fromCharCode(27)}\\[(?:[0-9;]*;)?(?:3[0-8]|9[0-7])(?:;[0-9;]*)?m`)
    const escapedScreen = async (env: Record<string, string>): Promise<string> => {
      await start(200, ['--from', String(Date.now())], env)
      await screenShowing(...TITLES)
      expect((await runCli(['produce', 'audit.v1'], { dataDir, input: auditDrop('1') })).exitCode).toBe(0)
      await screenShowing('DROP 1')
      const escaped = (await tmux('capture-pane', '-p', '-e', '-t', 'tail')).stdout
      await tmux('kill-session', '-t', 'tail')
      return escaped
    }
    expect(await escapedScreen({ TERM: 'xterm-256color' })).toMatch(colour)
    expect(await escapedScreen({ TERM: 'xterm-256color', NO_COLOR: '1' })).not.toMatch(colour)
  })
})

describe('riskctl tail without a terminal', () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string

  beforeEach(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
    expect((await runCli(['topics', 'create'], { dataDir })).exitCode).toBe(0)
  })
  afterEach(async () => dir.remove())

  it('prints one [topic]-prefixed line per record produced meanwhile, until Ctrl+C (exit 130)', async () => {
    // --from now rather than the end, so the record counts whatever the tail's start-up time.
    const tail = spawnCli(['tail', '--from', String(Date.now())], { dataDir })
    let output = ''
    const seen = new Promise<void>((resolve) => {
      tail.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('[audit.v1]')) resolve()
      })
    })
    expect((await runCli(['produce', 'orders.v1'], { dataDir, input: order('424242') })).exitCode).toBe(0)
    expect((await runCli(['produce', 'audit.v1'], { dataDir, input: auditDrop('424242') })).exitCode).toBe(0)
    await seen
    tail.kill('SIGINT')
    const ended = await tail
    expect(ended.exitCode).toBe(130)
    const lines = output.trim().split('\n')
    expect(lines[0]).toMatch(/^\[orders\.v1\] \d\d:\d\d:\d\d 424242 BUY 100 AAPL @189\.5$/)
    expect(lines[1]).toMatch(/^\[audit\.v1\] \d\d:\d\d:\d\d DROP 424242 AAPL/)
  })

  it('rejects an unknown --topics name with exit 2 and the valid topics', async () => {
    const result = await runCli(['tail', '--topics', 'orders.v1,orders'], { dataDir })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('Unknown topic "orders"')
    expect(result.stderr).toContain('orders.v1, risk_signals.v1')
  })
})

import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTempDir, RUN_JS } from '../helpers/cli.js'

/**
 * The demo screen in a real terminal: tmux gives `riskctl demo run` a 120x40 pseudo-terminal and
 * capture-pane reads back what the class would see. The test has its own tmux server.
 */
const COLUMNS = 120
const ROWS = 40

const quote = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`

describe('riskctl demo run screen (real terminal via tmux)', { timeout: 150_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let socket: string
  let screen = ''

  const tmux = (...args: string[]) =>
    execa('tmux', ['-S', socket, '-f', '/dev/null', ...args], { env: { TERM: 'xterm-256color' } })
  const screenShowing = async (texts: (string | RegExp)[], timeoutMs = 60_000): Promise<string> => {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      screen = (await tmux('capture-pane', '-p', '-t', 'demo')).stdout
      if (texts.every((text) => (typeof text === 'string' ? screen.includes(text) : text.test(screen))))
        return screen
      if (Date.now() > deadline) throw new Error(`Timed out; last seen:\n${screen}`)
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  beforeEach(async () => {
    dir = await createTempDir()
    // A socket of its own inside the temp dir: no clash with a user's tmux, and removed with the dir.
    socket = path.join(dir.path, 'tmux.sock')
  })
  afterEach(async () => {
    await tmux('kill-server').catch(() => undefined)
    await dir.remove()
  })

  it('shows the part above the live panes while it runs, then finishes with the summary', async () => {
    const demo = [process.execPath, RUN_JS, 'demo', 'run', '--variant', 'short', '--auto', '--speed', '50']
    const args = [...demo, '--data-dir', path.join(dir.path, 'data')].map(quote).join(' ')
    // CI variables are removed: under them Ink draws only the last frame.
    const command = `env -u CI -u CONTINUOUS_INTEGRATION NO_COLOR=1 ${args}; echo "exited $?"; sleep 600`
    await tmux('new-session', '-d', '-s', 'demo', '-x', String(COLUMNS), '-y', String(ROWS), command)

    // Given the short variant, which starts with the panic: mid-run, the part and the panes are both on screen.
    const title = 'Part 3 · A runaway algorithm (1/4) · running'
    const running = await screenShowing([
      title,
      '$ riskctl generate --mode panic --account 12345',
      'riskctl tail ·',
    ])
    expect(running).not.toContain('exited')
    const lines = running.split('\n')
    const part = lines.findIndex((line) => line.startsWith(title))
    expect(lines[part + 1]).toBe('▶ A runaway algorithm  ○ Enforcement  ○ Manual recovery  ○ Key takeaways')
    // Side by side at 120 columns: one row of titles, the audit pane last. With figures in the
    // title a 23-column pane shortens the topic's middle (aud…v1) rather than its count.
    const titles = lines.filter((line) => /orders\.v1|ord…\.v1/.test(line))
    expect(titles).toHaveLength(1)
    expect(titles[0]).toMatch(/│ {2}aud(?:it\.v1|…v1) [\d,]+ · /)
    expect(lines.findIndex((line) => line.startsWith('riskctl tail ·'))).toBeGreaterThan(part)
    for (const line of lines) expect(line.length).toBeLessThanOrEqual(COLUMNS)

    // Then the screen gives way to the summary the plain presenter prints, and the command exits 0.
    const done = await screenShowing(['exited 0'], 120_000)
    expect(done).toContain('Demo finished: 4/4 parts done')
  })

  it('stops on Ctrl+C pressed on the demo screen and exits 130, as on the signal', async () => {
    const demo = [process.execPath, RUN_JS, 'demo', 'run', '--variant', 'short', '--speed', '5']
    const args = [...demo, '--data-dir', path.join(dir.path, 'data')].map(quote).join(' ')
    const command = `env -u CI -u CONTINUOUS_INTEGRATION NO_COLOR=1 ${args}; echo "exited $?"; sleep 600`
    await tmux('new-session', '-d', '-s', 'demo', '-x', String(COLUMNS), '-y', String(ROWS), command)
    await screenShowing(['Part 3 · A runaway algorithm', 'riskctl tail ·'])
    await tmux('send-keys', '-t', 'demo', 'C-c')
    await screenShowing(['exited 130'], 60_000)
  })
})

import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTempDir, runCli } from '../helpers/cli.js'
import { describeFailClosed } from '../helpers/fail-closed.js'

describeFailClosed({ name: 'embedded log', env: {}, reset: async () => undefined, readyTimeoutMs: 30_000 })

describe('a data directory whose log has gone', () => {
  let dir: { path: string; remove: () => Promise<void> }
  beforeEach(async () => {
    dir = await createTempDir('riskctl-lostlog-')
  })
  afterEach(async () => dir.remove())

  it('is refused by every command with the path and what is wrong, and no new, empty log is started', async () => {
    const dataDir = path.join(dir.path, 'data')
    expect((await runCli(['topics', 'create'], { dataDir })).exitCode).toBe(0)
    for (const name of fs.readdirSync(dataDir)) if (name.startsWith('log.db')) fs.rmSync(path.join(dataDir, name))
    for (const args of [['up', '--console-port', '0'], ['state'], ['kill', 'ACCOUNT:1', '--reason', 'x']]) {
      const result = await runCli(args, { dataDir })
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr).toContain(path.join(dataDir, 'log.db'))
      expect(result.stderr).toMatch(/is missing/)
    }
    expect(fs.existsSync(path.join(dataDir, 'log.db'))).toBe(false)
    const json = await runCli(['state', '--json'], { dataDir })
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'RISKCTL_DATA_DIR_INVALID' } })
  })

  it('refuses a duplicate horizon that is not a span of time', async () => {
    const result = await runCli(['up', '--duplicate-horizon', 'an hour'], { dataDir: path.join(dir.path, 'data') })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toMatch(/30s, 10m, 2h, 1d/)
  })
})

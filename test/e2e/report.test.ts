import os from 'node:os'
import path from 'node:path'
import { readFileSync } from 'node:fs'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTempDir, runCli } from '../helpers/cli.js'
import type { Cli } from '../helpers/explain-scenario.js'
import { startUp, type RunningUp } from '../helpers/pipeline.js'
import { reportsAKillAndItsUnkill } from '../helpers/report-scenario.js'

describe('riskctl report on the embedded log, through the real CLI', { timeout: 180_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let up: RunningUp | undefined
  const cli: Cli = (args, input) =>
    runCli(args, { dataDir, ...(input === undefined ? {} : { input }), timeoutMs: 60_000 })

  beforeEach(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
    up = await startUp(dataDir)
  })
  afterEach(async () => {
    up?.process.kill('SIGKILL')
    await up?.process
    up = undefined
    await dir.remove()
  })

  it('reports a detector kill and its unkill in md, csv, json and a self-contained html page', async () => {
    const html = readFileSync(
      await reportsAKillAndItsUnkill(cli, dir.path, `local:${os.userInfo().username}`),
      'utf8',
    )
    expect(html).toContain('<title>Kill activity report')
    // The chart library is inline: nothing is fetched when the page opens.
    expect(html).toContain('uPlot')
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/)
  })
})

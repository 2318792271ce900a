import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'vitest'
import { createTempDir, runCli } from '../helpers/cli.js'
import type { Cli } from '../helpers/explain-scenario.js'
import { startUp, type RunningUp } from '../helpers/pipeline.js'
import { balancesALiveRun, findsEveryBreak } from '../helpers/reconcile-scenario.js'

describe('riskctl reconcile on the embedded log, through the real CLI', { timeout: 180_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let up: RunningUp | undefined
  const cli: Cli = (args, input) =>
    runCli(args, { dataDir, ...(input === undefined ? {} : { input }), timeoutMs: 60_000 })

  beforeEach(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
  })
  afterEach(async () => {
    up?.process.kill('SIGKILL')
    await up?.process
    up = undefined
    await dir.remove()
  })

  it('balances a live run: a runaway killed among normal flow, and a record that is no order dead-lettered', async () => {
    up = await startUp(dataDir)
    await balancesALiveRun(cli)
  })

  it('finds what a broken router would leave: an ALLOW after a KILL, an order decided twice, a forward nobody allowed, a damaged record', async () => {
    up = await startUp(dataDir, ['--console-port', '0', '--only', 'aggregator'])
    await findsEveryBreak(cli)
  })
})

import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'vitest'
import { createTempDir, runCli } from '../helpers/cli.js'
import type { Cli } from '../helpers/explain-scenario.js'
import { balancesALiveRun, findsEveryBreak } from '../helpers/reconcile-scenario.js'
import {
  createRiskctlTopics,
  kafkaEnv,
  resetRiskctlTopics,
  startUpOnKafka,
  stopProcess,
  type RunningProcess,
} from './support.js'

describe('riskctl reconcile on Kafka, through the real CLI', { timeout: 300_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let up: RunningProcess | undefined
  const cli: Cli = (args, input) =>
    runCli(args, { dataDir, ...(input === undefined ? {} : { input }), env: kafkaEnv(), timeoutMs: 60_000 })

  beforeEach(async () => {
    await resetRiskctlTopics()
    await createRiskctlTopics()
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
  })
  afterEach(async () => {
    await stopProcess(up)
    up = undefined
    await dir.remove()
  })

  it('balances a live run: a runaway killed among normal flow, and a record that is no order dead-lettered', async () => {
    up = await startUpOnKafka(dataDir, ['--console-port', '0'])
    await balancesALiveRun(cli)
  })

  it('finds what a broken router would leave: an ALLOW after a KILL, an order decided twice, a forward nobody allowed, a damaged record', async () => {
    up = await startUpOnKafka(dataDir, ['--console-port', '0', '--only', 'aggregator'])
    await findsEveryBreak(cli)
  })
})

import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'vitest'
import { createTempDir, runCli } from '../helpers/cli.js'
import type { Cli } from '../helpers/explain-scenario.js'
import { reportsAKillAndItsUnkill } from '../helpers/report-scenario.js'
import {
  createRiskctlTopics,
  kafkaEnv,
  resetRiskctlTopics,
  startUpOnKafka,
  stopProcess,
  type RunningProcess,
} from './support.js'

describe('riskctl report on Kafka, through the real CLI', { timeout: 300_000 }, () => {
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
    up = await startUpOnKafka(dataDir, ['--console-port', '0'])
  })
  afterEach(async () => {
    await stopProcess(up)
    up = undefined
    await dir.remove()
  })

  it('reports a detector kill and its unkill in md, csv, json and html', async () => {
    await reportsAKillAndItsUnkill(cli, dir.path, `unverified:${os.userInfo().username}`)
  })
})

import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, it } from 'vitest'
import { createTempDir, runCli } from '../helpers/cli.js'
import {
  explainsADetectorKill,
  explainsAnOperatorKillAndADuplicate,
  refusesWhatItCannotExplain,
  type Cli,
} from '../helpers/explain-scenario.js'
import {
  createRiskctlTopics,
  kafkaEnv,
  resetRiskctlTopics,
  startUpOnKafka,
  stopProcess,
  type RunningProcess,
} from './support.js'

describe('riskctl explain on Kafka, through the real CLI', { timeout: 300_000 }, () => {
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

  it("follows a dropped order back to the detector's breach: order, decision, state, command, signal, first DROP", async () => {
    await explainsADetectorKill(cli)
  })

  it("follows an operator's kill, and shows a re-sent copy as a DUPLICATE of the same order", async () => {
    await explainsAnOperatorKillAndADuplicate(cli, `unverified:${os.userInfo().username}`)
  })

  it('says so of an order it has no decision of (exit 5), and refuses text that is no order_id (exit 2)', async () => {
    await refusesWhatItCannotExplain(cli)
  })
})

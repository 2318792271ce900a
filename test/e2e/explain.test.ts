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
import { startUp, type RunningUp } from '../helpers/pipeline.js'

describe('riskctl explain on the embedded log, through the real CLI', { timeout: 180_000 }, () => {
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

  it("follows a dropped order back to the detector's breach: order, decision, state, command, signal, first DROP", async () => {
    await explainsADetectorKill(cli)
  })

  it("follows an operator's kill, and shows a re-sent copy as a DUPLICATE of the same order", async () => {
    await explainsAnOperatorKillAndADuplicate(cli, `local:${os.userInfo().username}`)
  })

  it('says so of an order it has no decision of (exit 5), and refuses text that is no order_id (exit 2)', async () => {
    await refusesWhatItCannotExplain(cli)
  })
})

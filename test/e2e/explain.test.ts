import os from 'node:os'
import { describe, it } from 'vitest'
import { useCliSession } from '../helpers/cli-session.js'
import { explainsADetectorKill, explainsAnOperatorKillAndADuplicate, refusesWhatItCannotExplain } from '../helpers/explain-scenario.js'

describe('riskctl explain on the embedded log, through the real CLI', { timeout: 300_000 }, () => {
  const session = useCliSession('embedded', ['--console-port', '0'])

  it("follows a dropped order back to the detector's breach: order, decision, state, command, signal, first DROP", async () => {
    await explainsADetectorKill(session.cli)
  })

  it("follows an operator's kill, and shows a re-sent copy as a DUPLICATE of the same order", async () => {
    await explainsAnOperatorKillAndADuplicate(session.cli, `local:${os.userInfo().username}`)
  })

  it('says so of an order it has no decision of (exit 5), and refuses text that is no order_id (exit 2)', async () => {
    await refusesWhatItCannotExplain(session.cli)
  })
})

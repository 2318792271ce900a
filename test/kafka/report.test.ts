import os from 'node:os'
import { describe, it } from 'vitest'
import { useCliSession } from '../helpers/cli-session.js'
import { reportsAKillAndItsUnkill } from '../helpers/report-scenario.js'

describe('riskctl report on Kafka, through the real CLI', { timeout: 300_000 }, () => {
  const session = useCliSession('kafka', ['--console-port', '0'])

  it('reports a detector kill and its unkill in md, csv, json and html', async () => {
    await reportsAKillAndItsUnkill(session.cli, session.dir, `unverified:${os.userInfo().username}`)
  })
})

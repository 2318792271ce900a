import { describe, it } from 'vitest'
import { useCliSession } from '../helpers/cli-session.js'
import { balancesALiveRun, findsEveryBreak } from '../helpers/reconcile-scenario.js'

describe('riskctl reconcile on Kafka, through the real CLI', { timeout: 300_000 }, () => {
  const session = useCliSession('kafka')

  it('balances a live run: a runaway killed among normal flow, and a record that is no order dead-lettered', async () => {
    await session.startUp()
    await balancesALiveRun(session.cli)
  })

  it('finds what a broken router would leave: an ALLOW after a KILL, an order decided twice, a forward nobody allowed, a damaged record', async () => {
    await session.startUp(['--console-port', '0', '--only', 'aggregator'])
    await findsEveryBreak(session.cli)
  })
})

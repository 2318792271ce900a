import { describeEventLogContract } from '../contract/event-log-contract.js'
import { BROKERS, openTestLog } from './support.js'

// Every test makes topics of its own (testTopic), so the suite shares one broker without cleanup.
describeEventLogContract('kafka', async () => ({
  open: openTestLog,
  childEnv: () => ({ ...stringEnv(), RISKCTL_BROKERS: BROKERS.join(',') }),
  dispose: async () => undefined,
}))

/** The writer child needs PATH and friends as well as the broker list. */
function stringEnv(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  )
}

import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_LIMITS_TOPOLOGY_PATH } from '../../src/config/limits-topology.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { LimitsRecord } from '../../src/domain/pretrade/limits-command.js'
import type { EventLog } from '../../src/log/port.js'
import { AUDIT, KILL_COMMANDS, ORDERS, REFERENCE_PRICES } from '../../topologies/topics.js'
import { createTempDir, runCli } from '../helpers/cli.js'
import {
  createRiskctlTopics,
  kafkaEnv,
  openTestLog,
  order,
  orderRecord,
  readAll,
  referencePrices,
  resetRiskctlTopics,
  startUpOnKafka,
  stopProcess,
  waitFor,
  type RunningProcess,
} from './support.js'

const PARTITIONS = 6
const SHIPPED = ['--limits', DEFAULT_LIMITS_TOPOLOGY_PATH]

describe('limits on Kafka: three routers with every check, one aggregator', { timeout: 300_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let log: EventLog
  const processes: RunningProcess[] = []

  beforeAll(async () => {
    await resetRiskctlTopics()
    await createRiskctlTopics(PARTITIONS)
    dir = await createTempDir()
    log = await openTestLog()
  })
  afterAll(async () => {
    for (const running of processes) await stopProcess(running)
    await log?.close()
    await dir?.remove()
  })

  it('every router enforces a limit change, and a temporary one reverts at its expiry on every router', async () => {
    const dataDir = (name: string) => path.join(dir.path, name)
    const cli = (args: readonly string[]) => runCli([...args, '--json'], { dataDir: dataDir('operator'), env: kafkaEnv(), timeoutMs: 60_000 })
    await log.produce(REFERENCE_PRICES, referencePrices())
    processes.push(await startUpOnKafka(dataDir('aggregator'), ['--only', 'aggregator', ...SHIPPED]))
    const routers: RunningProcess[] = []
    for (const name of ['router-a', 'router-b', 'router-c']) {
      const router = await startUpOnKafka(dataDir(name), ['--only', 'router', ...SHIPPED])
      routers.push(router)
      processes.push(router)
    }
    await waitFor(
      'the three routers to share the six partitions',
      () => {
        const shares = routers.map((router) => /partitions ([\d,]+)/.exec(router.lastStatus())?.[1]?.split(',') ?? [])
        return shares.every((share) => share.length > 0) && shares.flat().length === PARTITIONS ? shares : undefined
      },
      90_000,
    )

    // Orders into every partition, each router judging some: audits by the order_ids of one round.
    let round = 0
    const sendRound = async (): Promise<string[]> => {
      round += 1
      const ids = Array.from({ length: PARTITIONS * 4 }, (_, i) => `r${round}-${i}`)
      await log.produce(ORDERS, ids.map((id, i) => orderRecord(order(id, `acct-${i}`), i % PARTITIONS)))
      return ids
    }
    const auditsOf = (ids: readonly string[]) =>
      waitFor(
        `the audits of round ${round}`,
        async () => {
          const wanted = new Set(ids)
          const found = (await readAll<AuditRecord>(AUDIT)).filter((audit) => wanted.has(audit.order_id))
          return found.length >= ids.length ? found : undefined
        },
        90_000,
      )

    // Before any change: the firm's defaults let these orders through.
    expect((await auditsOf(await sendRound())).map((a) => a.decision)).toEqual(Array(PARTITIONS * 4).fill('ALLOW'))

    const restrict = await cli(['limits', 'set', 'GLOBAL', '--restrict', 'aapl', '--reason', 'news pending'])
    expect(restrict.exitCode, restrict.stderr).toBe(0)
    const restricted = await auditsOf(await sendRound())
    expect(restricted.filter((a) => a.check !== 'RESTRICTED_SYMBOL')).toEqual([])
    // Each router dropped the orders of its own partitions: every instance enforces the firm's new limit.
    await waitFor(
      'every router to report drops',
      () => (routers.every((router) => Number(/dropped (\d+)/.exec(router.lastStatus())?.[1] ?? 0) > 0) ? true : undefined),
      30_000,
    )

    // A temporary exception: orders decided before its expiry pass, those after are restricted again.
    const lift = await cli(['limits', 'set', 'GLOBAL', '--unrestrict', 'AAPL', '--expires', '15s', '--reason', 'cleared'])
    expect(lift.exitCode, lift.stderr).toBe(0)
    const lifted = JSON.parse(lift.stdout) as { record: LimitsRecord }
    const expiresAt = lifted.record.expires_ts!
    const during = await auditsOf(await sendRound())
    for (const audit of during) expect(audit.decision, `${audit.order_id} at ${audit.ts}`).toBe(audit.ts < expiresAt ? 'ALLOW' : 'DROP')
    expect(during.some((audit) => audit.decision === 'ALLOW')).toBe(true)

    await waitFor('the expiry', () => (Date.now() > expiresAt + 500 ? true : undefined), 30_000)
    const after = await auditsOf(await sendRound())
    expect(after.filter((a) => a.check !== 'RESTRICTED_SYMBOL')).toEqual([])
    // The revert is a command of its own, applied and audited by the aggregator.
    const revert = await waitFor(
      'the REVERT_LIMITS applied',
      async () => {
        const commands = await readAll<{ action: string; corr_id: string; reverts?: string }>(KILL_COMMANDS)
        const reverting = commands.find((command) => command.action === 'REVERT_LIMITS')
        if (reverting === undefined) return undefined
        const audits = await readAll<AuditRecord>(AUDIT)
        return audits.some((audit) => audit.service === 'aggregator' && audit.decision === 'APPLIED' && audit.reason.includes('REVERT'))
          ? reverting
          : undefined
      },
      60_000,
    )
    expect(revert.reverts).toBe(lifted.record.temporary_cmd_id)
  })
})

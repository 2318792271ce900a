import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { EventLog } from '../../src/log/port.js'
import { AUDIT, ORDERS } from '../../topologies/topics.js'
import { createTempDir, runCli } from '../helpers/cli.js'
import {
  createRiskctlTopics,
  kafkaEnv,
  openTestLog,
  order,
  orderRecord,
  readAll,
  resetRiskctlTopics,
  sleep,
  startUpOnKafka,
  stopProcess,
  waitFor,
  type RunningProcess,
} from './support.js'

const PARTITIONS = 6

/** What a router's status line says: the partitions it decides and how many orders it dropped. */
function routerStatus(router: RunningProcess): { partitions: number[]; dropped: number } {
  const line = router.lastStatus()
  const partitions = /partitions ([\d,]+)/.exec(line)?.[1]?.split(',').map(Number) ?? []
  return { partitions, dropped: Number(/dropped (\d+)/.exec(line)?.[1] ?? 0) }
}

/** The routers' shares when they cover every partition exactly once, else undefined. */
function shares(routers: readonly RunningProcess[]): number[][] | undefined {
  const each = routers.map((router) => routerStatus(router).partitions)
  const all = each.flat().sort((a, b) => a - b)
  const complete = all.length === PARTITIONS && all.every((p, i) => p === i)
  return complete && each.every((share) => share.length > 0) ? each : undefined
}

describe(
  'scale-out: three `riskctl up --only router` processes share orders.v1',
  { timeout: 300_000 },
  () => {
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
      await log.close()
      await dir.remove()
    })

    it('every router enforces a kill, and a SIGKILLed router hands over its partitions with no order lost or decided twice', async () => {
      const dataDir = (name: string) => path.join(dir.path, name)
      processes.push(await startUpOnKafka(dataDir('aggregator'), ['--only', 'aggregator']))
      const routers: RunningProcess[] = []
      for (const name of ['router-a', 'router-b', 'router-c']) {
        const router = await startUpOnKafka(dataDir(name), ['--only', 'router'])
        routers.push(router)
        processes.push(router)
      }
      const initial = await waitFor(
        'the three routers to share the six partitions',
        () => shares(routers),
        90_000,
      )
      expect(initial).toHaveLength(3)

      const produced: string[] = []
      const send = async (orders: { id: string; account: string; partition?: number }[]) => {
        await log.produce(
          ORDERS,
          orders.map((o) => orderRecord(order(o.id, o.account), o.partition)),
        )
        produced.push(...orders.map((o) => o.id))
      }
      await send(Array.from({ length: 300 }, (_, i) => ({ id: `warm-${i}`, account: `acct-${i % 97}` })))

      const kill = await runCli(['kill', 'ACCOUNT:12345', '--reason', 'scale-out drill', '--json'], {
        dataDir: dataDir('operator'),
        env: kafkaEnv(),
        timeoutMs: 60_000,
      })
      expect(kill.exitCode).toBe(0)
      expect((JSON.parse(kill.stdout) as { outcome: string }).outcome).toBe('confirmed')

      // Orders of the killed account into every partition, so that each router has some to judge.
      const afterKill = Array.from({ length: PARTITIONS * 10 }, (_, i) => ({
        id: `killed-${i}`,
        account: '12345',
        partition: i % PARTITIONS,
      }))
      await send(afterKill)
      await send(Array.from({ length: 120 }, (_, i) => ({ id: `mixed-${i}`, account: `acct-${i % 89}` })))
      // Status lines come once a second: wait for the routers to have reported all of them.
      const dropsPerRouter = await waitFor(
        'the routers to report a drop for every order of the killed account',
        () => {
          const dropped = routers.map((router) => routerStatus(router).dropped)
          return dropped.reduce((sum, count) => sum + count, 0) >= afterKill.length ? dropped : undefined
        },
        90_000,
      )
      expect(dropsPerRouter.reduce((sum, count) => sum + count, 0)).toBe(afterKill.length)
      // Each dropped the orders of its own partitions: every instance enforced the kill.
      expect(dropsPerRouter.every((count) => count > 0)).toBe(true)

      // Orders flow while one router dies; its partitions must move to the other two.
      let flowing = true
      const flow = (async () => {
        for (let batch = 0; flowing; batch += 1) {
          await send(
            Array.from({ length: 10 }, (_, i) => ({
              id: `flow-${batch}-${i}`,
              account: i === 0 ? '12345' : `acct-${(batch * 10 + i) % 101}`,
            })),
          )
          await sleep(100)
        }
      })()
      await sleep(3000)
      const victim = routers[2]!
      victim.process.kill('SIGKILL')
      await victim.process
      const survivors = routers.slice(0, 2)
      const handedOver = await waitFor(
        'the two survivors to take over all six partitions',
        () => shares(survivors),
        90_000,
      )
      await sleep(3000)
      flowing = false
      await flow

      const audits = await waitFor(
        'an audit record for every order',
        async () => {
          const records = (await readAll<AuditRecord>(AUDIT)).filter((audit) => audit.service === 'router')
          return records.length >= produced.length ? records : undefined
        },
        180_000,
      )
      const decided = audits.map((audit) => audit.order_id)
      expect(new Set(decided).size).toBe(decided.length)
      expect([...decided].sort()).toEqual([...produced].sort())
      expect(audits.every((audit) => audit.service === 'router')).toBe(true)
      expect(handedOver.flat()).toHaveLength(PARTITIONS)

      const killedAfterConfirm = new Set([
        ...afterKill.map((o) => o.id),
        ...produced.filter((id) => id.startsWith('flow-') && id.endsWith('-0')),
      ])
      const verdicts = audits.filter((audit) => killedAfterConfirm.has(audit.order_id))
      expect(verdicts).toHaveLength(killedAfterConfirm.size)
      expect(verdicts.filter((audit) => audit.decision !== 'DROP')).toEqual([])
    })
  },
)

/**
 * The router on Kafka as `riskctl up --only router` runs it: a process of its own, started by the real CLI, with
 * its V8 flags. 200,000 orders (a tenth for killed accounts) wait on orders.v1; the figures are the decisions per
 * second from the router's readiness to its commit past the last order, and the router process's peak resident
 * memory (VmHWM), which is what an operator sizes a host or a container by.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import type { EventLog } from '../../src/log/port.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { ROUTER_GROUP } from '../../topologies/groups.js'
import { KILL_STATE, ORDERS, REFERENCE_PRICES, RISK_LIMITS } from '../../topologies/topics.js'
import type { BenchResult } from './result.js'
import { killedAccountState, SAMPLE_SYMBOLS, sampleOrder } from './sample-order.js'
import { followJsonLines } from './up-process.js'

const CLI = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
export const PROCESS_ORDERS = 200_000
const KILLED_ACCOUNTS = 1_000
const BENCH_FIRM_LIMITS = {
  scope: 'GLOBAL',
  limits: { collar_pct: 50, credit_limit: 1e13, message_rate: 1_000_000 },
  updated_ts: Date.now(),
  updated_by: 'bench',
  reason: 'the bench flow: every check judged, nearly every order passes',
  last_cmd_id: 'bench-limits',
  corr_id: 'bench-limits',
}

export async function benchRouterProcessOnKafka(log: EventLog, brokers: readonly string[]): Promise<BenchResult[]> {
  await log.produce(
    KILL_STATE,
    Array.from({ length: KILLED_ACCOUNTS }, (_, i) => killedAccountState(i)),
  )
  // Every check runs, with its caps raised as an operator would for this flow, so nearly every order is let through.
  await log.produce(REFERENCE_PRICES, SAMPLE_SYMBOLS.map((symbol) => jsonRecord(symbol, { symbol, price: 150, ts: Date.now(), source: 'bench' })))
  await log.produce(RISK_LIMITS, [jsonRecord('GLOBAL', BENCH_FIRM_LIMITS)])
  for (let i = 0; i < PROCESS_ORDERS; i += 5000) {
    await log.produce(
      ORDERS,
      Array.from({ length: 5000 }, (_, j) => {
        const order = sampleOrder(i + j)
        const account = (i + j) % 10 === 0 ? `k${(i + j) % KILLED_ACCOUNTS}` : order.account_id
        return jsonRecord(account, { ...order, account_id: account })
      }),
    )
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-router-'))
  const up = execa('node', [CLI, 'up', '--only', 'router', '--json'], {
    env: { ...process.env, RISKCTL_BROKERS: brokers.join(','), RISKCTL_DATA_DIR: dataDir, RISKCTL_OPERATOR_TOKEN: 'bench-token-of-the-strength-up-requires-0001' },
    buffer: false,
    stdin: 'ignore',
  })
  const statuses = followJsonLines(up)
  try {
    await statuses.until((line) => line.event === 'ready', 60_000)
    const ready = performance.now()
    let done = 0
    while (done === 0) {
      const committed = await log.committedOffsets(ROUTER_GROUP, ORDERS)
      if (committed.reduce((sum, p) => sum + p.offset, 0) >= PROCESS_ORDERS) done = performance.now()
      else await new Promise((resolve) => setTimeout(resolve, 20))
      if (performance.now() - ready > 300_000) throw new Error('the router did not decide every order within 5 minutes')
    }
    // The status after the last commit names the router's process.
    await statuses.until((line) => line.event === 'status', 5_000)
    const pid = statuses.last()?.processes?.find((p) => p.name === 'router')?.pid
    const memory = pid === undefined ? undefined : peakMemoryMb(pid)
    const conditions = {
      orders: PROCESS_ORDERS,
      killedAccounts: KILLED_ACCOUNTS,
      partitions: 3,
      process: 'riskctl up --only router',
      checks: 'every pre-trade check, caps raised for the flow',
    }
    return [
      {
        metric: 'router.kafka.process.decisions_per_s',
        value: Math.round(PROCESS_ORDERS / ((done - ready) / 1000)),
        unit: 'decisions/s',
        conditions: { ...conditions, from: 'ready to the commit past the last order' },
      },
      {
        metric: 'router.kafka.process.rss_peak_mb',
        value: memory?.peak ?? -1,
        unit: 'MB',
        conditions: { ...conditions, measured: 'VmHWM of the router process', endRssMb: memory?.now ?? -1 },
      },
    ]
  } finally {
    up.kill('SIGTERM')
    await up.catch(() => undefined)
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/** The process's peak and present resident memory, from /proc. */
function peakMemoryMb(pid: number): { peak: number; now: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8')
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN)
    return { peak: Math.round(kb('VmHWM') / 1024), now: Math.round(kb('VmRSS') / 1024) }
  } catch {
    return undefined
  }
}

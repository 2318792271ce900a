/**
 * The whole loop as an operator runs it: `riskctl up` (the default topology, detection on), fed by `riskctl generate`
 * in a process of its own at a fixed rate, with runaway accounts inside the flow sent by a third process. The
 * generator is open loop: each order carries the time it was due, so a stall counts as lag instead of slowing the
 * flow. Per rate: router and detector lag (max over the run, and at its end), breach → first DROP, and CPU per
 * process. The headline is the highest rate whose lag stays under one second of orders.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import type { TopicPartitionOffset } from '../../src/log/port.js'
import { DETECTOR_GROUP, ROUTER_GROUP } from '../../topologies/groups.js'
import { AUDIT, ORDERS } from '../../topologies/topics.js'
import { loadDetectorTopology } from '../../src/config/detector-topology.js'
import { percentile, round, type BenchResult } from './result.js'
import { forkRunawaySender } from './runaway-schedule.js'
import { followJsonLines } from './up-process.js'

const CLI = fileURLToPath(new URL('../../bin/run.js', import.meta.url))
const SAMPLE_MS = 500
const RUNAWAYS = 10
const RUNAWAY_RATE = 500
/** Four seconds each: long enough that a detector a second or two behind still gets to block it. */
const RUNAWAY_ORDERS = 2_000
const RUNAWAY_STAGGER_MS = 5_000
/** Each account and symbol of the normal flow at about half its threshold, so that only the runaways trip. */
const ACCOUNT_SHARE_OF_THRESHOLD = 0.5

export interface LoopOptions {
  readonly rates: readonly number[]
  readonly seconds: number
}

export function loopOptions(argv: readonly string[]): LoopOptions {
  const value = (name: string) => argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3)
  const rates = value('loop-rates')?.split(',').map(Number) ?? [10_000, 25_000, 50_000, 75_000]
  return { rates, seconds: Number(value('loop-seconds') ?? 60) }
}

export async function benchLoop(options: LoopOptions): Promise<BenchResult[]> {
  const results: BenchResult[] = []
  let sustained = 0
  for (const rate of options.rates) {
    const run = await loopAt(rate, options.seconds)
    results.push(...run.results)
    if (run.keptUp) sustained = Math.max(sustained, rate)
  }
  results.push({
    metric: 'loop.embedded.sustained_orders_per_s',
    value: sustained,
    unit: 'orders/s',
    conditions: {
      rule: 'highest rate whose router and detector lag stay under one second of orders',
      rates: options.rates.join('/'),
      seconds: options.seconds,
      machine: `${os.cpus().length} cores, generator included`,
    },
  })
  return results
}

interface LoopRun {
  readonly keptUp: boolean
  readonly results: BenchResult[]
}

async function loopAt(rate: number, seconds: number): Promise<LoopRun> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-loop-'))
  const settings = loadDetectorTopology()
  const windowSeconds = settings.windowMs / 1000
  const accounts = Math.ceil((rate * windowSeconds) / (settings.thresholds.orderCount * ACCOUNT_SHARE_OF_THRESHOLD))
  const symbols = Math.ceil((rate * windowSeconds) / (settings.symbolRule.orderCount * ACCOUNT_SHARE_OF_THRESHOLD))
  const env = { ...process.env, RISKCTL_DATA_DIR: dataDir, RISKCTL_OPERATOR_TOKEN: 'bench-token-of-the-strength-up-requires-0001', NO_COLOR: '1' }
  const up = execa('node', [CLI, 'up', '--console-port', '0', '--json'], { env, buffer: false, stdin: 'ignore' })
  const statuses = followJsonLines(up)
  let log: EmbeddedLog | undefined
  try {
    await statuses.until((event) => event.event === 'ready', 60_000)
    log = await openEmbeddedLog({ dataDir })
    const sender = await forkRunawaySender(dataDir)
    const startMs = Date.now() + 200
    const breachSeq = settings.thresholds.orderCount
    const plan = {
      accounts: RUNAWAYS,
      ordersPerAccount: RUNAWAY_ORDERS,
      ordersPerSecond: RUNAWAY_RATE,
      staggerMs: Math.min(RUNAWAY_STAGGER_MS, Math.floor((seconds * 1000) / (RUNAWAYS + 1))),
      accountPrefix: 'runaway-',
      breachSeq,
    }
    const sent = sender.send({ plan: { ...plan }, startMs: startMs + plan.staggerMs })
    const generator = execa(
      'node',
      [CLI, 'generate', '--rate', String(rate), '--duration', String(seconds), '--accounts', String(accounts), '--symbols', String(symbols), '--seed', '7', '--json'],
      { env, stdin: 'ignore' },
    )
    const pids = (): Record<string, number | undefined> => ({
      up: up.pid,
      ...Object.fromEntries((statuses.last()?.processes ?? []).map((p) => [p.name, p.pid])),
      generator: generator.pid,
      'runaway sender': sender.pid,
    })
    const cpu = new CpuMeter()
    const routerLag: number[] = []
    const detectorLag: number[] = []
    const started = Date.now()
    let generatorDone = false
    void generator.then(() => (generatorDone = true), () => (generatorDone = true))
    while (!generatorDone) {
      await sleep(SAMPLE_MS)
      cpu.sample(pids())
      const ends = await endOffsets(log)
      routerLag.push(lagOf(ends, await log.committedOffsets(ROUTER_GROUP, ORDERS)))
      detectorLag.push(lagOf(ends, await log.committedOffsets(DETECTOR_GROUP, ORDERS)))
    }
    const elapsed = (Date.now() - started) / 1000
    const summary = JSON.parse((await generator).stdout) as { orders: number; achievedRatePerSecond: number }
    cpu.sample(pids())
    await sent
    const endLag = { router: routerLag.at(-1) ?? 0, detector: detectorLag.at(-1) ?? 0 }
    // Drained, so that every runaway's first DROP is in the audit.
    const drainDeadline = Date.now() + 120_000
    while (Date.now() < drainDeadline) {
      const ends = await endOffsets(log)
      if (lagOf(ends, await log.committedOffsets(ROUTER_GROUP, ORDERS)) === 0) break
      await sleep(200)
    }
    const latencies = await breachToDrop(log, startMs, plan)
    const maxRouter = Math.max(0, ...routerLag)
    const maxDetector = Math.max(0, ...detectorLag)
    const keptUp = maxRouter < rate && maxDetector < rate && latencies.length === RUNAWAYS
    const conditions = {
      rate,
      seconds,
      accounts,
      symbols,
      runaways: `${RUNAWAYS} × ${RUNAWAY_ORDERS} orders at ${RUNAWAY_RATE}/s`,
      achieved: Math.round(summary.achievedRatePerSecond),
    }
    const name = (suffix: string) => `loop.embedded.${rate / 1000}k.${suffix}`
    const results: BenchResult[] = [
      { metric: name('router_lag.max_orders'), value: maxRouter, unit: 'orders', conditions },
      { metric: name('router_lag.end_orders'), value: endLag.router, unit: 'orders', conditions },
      { metric: name('detector_lag.max_orders'), value: maxDetector, unit: 'orders', conditions },
      { metric: name('detector_lag.end_orders'), value: endLag.detector, unit: 'orders', conditions },
      {
        metric: name('breach_to_drop.p50_ms'),
        value: round(percentile(latencies, 50)),
        unit: 'ms',
        conditions: { ...conditions, blocked: `${latencies.length} of ${RUNAWAYS}` },
      },
      {
        metric: name('breach_to_drop.p99_ms'),
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        conditions: { ...conditions, blocked: `${latencies.length} of ${RUNAWAYS}` },
      },
    ]
    const shares = cpu.shares(elapsed)
    // CPU time per order, summed over the processes: steadier than lag on a shared machine, and what a rate costs.
    const perOrder = (share: number) => round((share * elapsed * 1e6) / Math.max(1, summary.orders), 1)
    results.push({
      metric: name('cpu_us_per_order'),
      value: perOrder(shares.total ?? 0),
      unit: 'µs',
      conditions: Object.fromEntries(Object.entries(shares).filter(([key]) => key !== 'total').map(([key, share]) => [key, perOrder(share)])),
    })
    for (const [processName, share] of Object.entries(shares)) {
      results.push({
        metric: name(`cpu.${processName.replaceAll(' ', '_')}_pct`),
        value: round(share * 100, 1),
        unit: '% of a core',
        conditions: { rate, seconds },
      })
    }
    return { keptUp, results }
  } finally {
    await log?.close()
    up.kill('SIGTERM')
    await up.catch(() => undefined)
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/** For each runaway account, the time from the order that crossed the threshold (when it was due) to its first DROP. */
async function breachToDrop(
  log: EmbeddedLog,
  startMs: number,
  plan: { accounts: number; ordersPerSecond: number; staggerMs: number; accountPrefix: string; breachSeq: number },
): Promise<number[]> {
  const firstDrop = new Map<string, number>()
  const consumer = await log.consumer({ topics: [AUDIT], from: { type: 'timestamp', timestamp: startMs - 1000 } })
  try {
    const ends = await consumer.endOffsets()
    const done = () => {
      const at = new Map(consumer.positions().map((p) => [p.partition, p.offset]))
      return ends.every((end) => (at.get(end.partition) ?? 0) >= end.offset)
    }
    while (!done() && firstDrop.size < plan.accounts) {
      for (const record of await consumer.poll({ maxRecords: 20_000, maxWaitMs: 0 })) {
        if (record.key === null || !record.key.startsWith(plan.accountPrefix) || record.value === null) continue
        const audit = JSON.parse(record.value.toString()) as AuditRecord
        if (audit.decision === 'DROP' && audit.service === 'router' && !firstDrop.has(audit.account_id)) {
          firstDrop.set(audit.account_id, audit.ts)
        }
      }
    }
  } finally {
    await consumer.close()
  }
  const latencies: number[] = []
  for (let a = 0; a < plan.accounts; a += 1) {
    const drop = firstDrop.get(`${plan.accountPrefix}${a}`)
    const breachTs = startMs + plan.staggerMs + a * plan.staggerMs + Math.floor((plan.breachSeq * 1000) / plan.ordersPerSecond)
    if (drop !== undefined) latencies.push(drop - breachTs)
  }
  return latencies.sort((x, y) => x - y)
}

async function endOffsets(log: EmbeddedLog): Promise<TopicPartitionOffset[]> {
  const probe = await log.consumer({ topics: [ORDERS], from: { type: 'latest' } })
  try {
    return await probe.endOffsets()
  } finally {
    await probe.close()
  }
}

function lagOf(ends: readonly TopicPartitionOffset[], committed: readonly TopicPartitionOffset[]): number {
  const at = new Map(committed.map((p) => [p.partition, p.offset]))
  return ends.reduce((sum, end) => sum + Math.max(0, end.offset - (at.get(end.partition) ?? 0)), 0)
}

/** CPU time per process from /proc, as a share of one core over the run. */
class CpuMeter {
  private readonly first = new Map<string, number>()
  private readonly latest = new Map<string, number>()
  private readonly ticks = 100

  sample(pids: Record<string, number | undefined>): void {
    for (const [name, pid] of Object.entries(pids)) {
      if (pid === undefined) continue
      const seconds = cpuSeconds(pid, this.ticks)
      if (seconds === undefined) continue
      if (!this.first.has(name)) this.first.set(name, seconds)
      this.latest.set(name, seconds)
    }
  }

  shares(elapsedSeconds: number): Record<string, number> {
    const shares: Record<string, number> = {}
    let total = 0
    for (const [name, last] of this.latest) {
      const share = (last - (this.first.get(name) ?? last)) / elapsedSeconds
      shares[name] = share
      total += share
    }
    shares.total = total
    return shares
  }
}

function cpuSeconds(pid: number, ticksPerSecond: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name may hold spaces: the fields after it are counted from its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond
  } catch {
    return undefined
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * Breach-to-KILL latency, the Spark job against the in-process detector (`npm run bench -- --spark`).
 * The same runaway stream (runaway-schedule.ts), sent to orders.v1 on the same broker by a process of
 * its own, is judged first by DetectorProcessor on the Kafka log, then by the Spark job started the way
 * `riskctl detect --engine spark` starts it (spark-submit --master local[2]). Per runaway account: from
 * the ts of the order that crossed the order-count threshold to the arrival of the account's KILL on
 * killswitch.commands.v1 at a consumer here. Needs a broker at RISKCTL_BENCH_BROKERS and the Spark
 * virtualenv (npm run spark:setup); it creates the riskctl topics if they are missing.
 */
import { randomUUID } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { killCommandSchema } from '../../src/contracts/messages.js'
import { decodeJson } from '../../src/contracts/decode.js'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH, loadDetectorTopology } from '../../src/config/detector-topology.js'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import type { EventLog } from '../../src/log/port.js'
import { createDetector } from '../../src/processors/detector.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { runSparkDetector } from '../../src/spark/spark-detector.js'
import { sparkInstall } from '../../src/spark/spark-install.js'
import { KILL_COMMANDS, ORDERS, TOPICS } from '../../topologies/topics.js'
import { BENCH_BROKERS } from './kafka.js'
import { percentile, round, type BenchResult } from './result.js'
import { forkRunawaySender, runawaySchedule, type RunawayPlan } from './runaway-schedule.js'

/** 20 accounts, each 150 orders at 200/s, one starting every 250 ms: about 600 orders/s at the peak. */
const STREAM = { accounts: 20, ordersPerAccount: 150, ordersPerSecond: 200, staggerMs: 250 } as const
const TRIGGER_MS = 1000
const ENGINES = {
  inprocess: { triggeredBy: 'detector', killsWithinMs: 10_000 },
  spark: { triggeredBy: 'spark', killsWithinMs: 60_000 },
} as const
/** Micro-batches with orders in them before the Spark job counts as warm: the first ones compile plans. */
const WARM_BATCHES = 3
const SPARK_WARM_WITHIN_MS = 180_000
const PROGRESS = /riskctl_detector batch \d+: (\d+) orders in/

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

type Engine = keyof typeof ENGINES

/** An engine that is starting: `ready` once it judges orders, `running` until the signal stops it. */
interface Started {
  readonly ready: Promise<void>
  readonly running: Promise<unknown>
}

interface Measured {
  readonly latencies: readonly number[]
  readonly killed: number
  /** The machine's one-minute load average as the stream ended: other work slows Spark far more. */
  readonly loadAverage: number
}

export async function benchSpark(): Promise<BenchResult[]> {
  const settings = loadDetectorTopology()
  const run = randomUUID().slice(0, 8)
  const plan = (engine: Engine): RunawayPlan => ({
    ...STREAM,
    accountPrefix: `${engine}-${run}-`,
    breachSeq: settings.thresholds.orderCount,
  })
  const log = await openKafkaLog({ brokers: BENCH_BROKERS, connection: { ssl: false } })
  try {
    await log.createTopics(TOPICS)
    const inprocess = await measure(log, 'inprocess', plan('inprocess'), (signal) => {
      const detector = createDetector(log, { settings })
      const running = detector.run(signal)
      const ready = (async () => {
        while (!detector.stats.ready) await sleep(10)
        await sleep(500)
      })()
      return { ready, running }
    })
    const spark = await measure(log, 'spark', plan('spark'), (signal) => startSpark(log, run, signal))
    return results(inprocess, spark)
  } finally {
    await log.close()
  }
}

async function measure(
  log: EventLog,
  engine: Engine,
  plan: RunawayPlan,
  start: (signal: AbortSignal) => Started,
): Promise<Measured> {
  const { triggeredBy, killsWithinMs } = ENGINES[engine]
  const kills = await watchKills(log, triggeredBy, `ACCOUNT:${plan.accountPrefix}`)
  const controller = new AbortController()
  const started = start(controller.signal)
  // Awaited below; a failure while starting surfaces through `ready`.
  started.running.catch(() => undefined)
  let startMs = 0
  try {
    await Promise.race([
      started.ready,
      started.running.then(() => Promise.reject(new Error(`${engine} stopped`))),
    ])
    const sender = await forkRunawaySender()
    try {
      startMs = Date.now() + 200
      await sender.send({ plan, startMs })
    } finally {
      sender.stop()
    }
    const deadline = Date.now() + killsWithinMs
    while (kills.arrivals.size < plan.accounts && Date.now() < deadline) await sleep(50)
  } finally {
    controller.abort()
    await started.running.catch(() => undefined)
    await kills.stop()
  }
  await started.running
  const { breachTs } = runawaySchedule(plan, startMs)
  const latencies = [...breachTs]
    .map(([account, ts]) => (kills.arrivals.get(`ACCOUNT:${account}`) ?? Number.POSITIVE_INFINITY) - ts)
    .sort((a, b) => a - b)
  return { latencies, killed: kills.arrivals.size, loadAverage: round(os.loadavg()[0]!, 1) }
}

/**
 * The Spark job through runSparkDetector, as `riskctl detect --engine spark` runs it, on a checkpoint of
 * its own. Warm once it has processed a few micro-batches of warm-up orders.
 */
function startSpark(log: EventLog, run: string, signal: AbortSignal): Started {
  const checkpoint = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-spark-'))
  const lastLines: string[] = []
  let busyBatches = 0
  const running = runSparkDetector({
    install: sparkInstall(),
    backend: { type: 'kafka', brokers: BENCH_BROKERS, dataDir: checkpoint },
    topologyFile: DEFAULT_DETECTOR_TOPOLOGY_PATH,
    checkpoint,
    env: process.env,
    signal,
    triggerMs: TRIGGER_MS,
    onLine: (line) => {
      lastLines.push(line)
      if (lastLines.length > 30) lastLines.shift()
      const progress = PROGRESS.exec(line)
      if (progress !== null && Number(progress[1]) > 0) busyBatches += 1
    },
  })
    .catch((error: unknown) => {
      const said = lastLines.map((line) => `  spark | ${line}`).join('\n')
      throw new Error(`${error instanceof Error ? error.message : String(error)}\n${said}`)
    })
    .finally(() => fs.rmSync(checkpoint, { recursive: true, force: true }))
  const ready = (async () => {
    const deadline = Date.now() + SPARK_WARM_WITHIN_MS
    for (let seq = 0; busyBatches < WARM_BATCHES; seq += 1) {
      if (Date.now() > deadline)
        throw new Error(`the Spark job was not warm within ${SPARK_WARM_WITHIN_MS} ms`)
      if (signal.aborted) return
      await log.produce(ORDERS, warmUpOrders(run, seq))
      await sleep(250)
    }
    // The warm-up's last orders must not share a micro-batch with the stream.
    await sleep(3 * TRIGGER_MS)
  })()
  return { ready, running }
}

/** Five orders from twenty accounts in turn: one order a second per account, far under every limit. */
function warmUpOrders(run: string, batch: number) {
  const symbols = ['AAPL', 'GOOGL', 'MSFT', 'AMZN', 'TSLA', 'NVDA', 'META', 'NFLX']
  return Array.from({ length: 5 }, (_, i) => {
    const seq = batch * 5 + i
    const account = `warmup-${run}-${seq % 20}`
    const ts = Date.now()
    const order = {
      order_id: `${account}-${seq}`,
      ts,
      account_id: account,
      symbol: symbols[seq % symbols.length]!,
      side: 'BUY',
      qty: 1,
      price: 100,
      strategy: 'warm-up',
    }
    return jsonRecord(account, order, ts)
  })
}

interface KillWatch {
  /** Scope -> when its first KILL from the engine arrived here. */
  readonly arrivals: ReadonlyMap<string, number>
  stop(): Promise<void>
}

/** Reads killswitch.commands.v1 from its end, keeping the first KILL per scope triggered by `triggeredBy`. */
async function watchKills(log: EventLog, triggeredBy: string, scopePrefix: string): Promise<KillWatch> {
  const consumer = await log.consumer({ topics: [KILL_COMMANDS], from: { type: 'latest' } })
  const arrivals = new Map<string, number>()
  let stopped = false
  const polling = (async () => {
    while (!stopped) {
      const records = await consumer.poll({ maxWaitMs: 20 })
      const now = Date.now()
      for (const record of records) {
        const decoded = decodeJson(killCommandSchema, record.value)
        if (!decoded.ok) continue
        const { scope, triggered_by } = decoded.value
        if (triggered_by !== triggeredBy || !scope.startsWith(scopePrefix) || arrivals.has(scope)) continue
        arrivals.set(scope, now)
      }
    }
  })()
  return {
    arrivals,
    stop: async () => {
      stopped = true
      await polling
      await consumer.close()
    },
  }
}

function results(inprocess: Measured, spark: Measured): BenchResult[] {
  const stream = {
    accounts: STREAM.accounts,
    ordersPerSecond: STREAM.ordersPerSecond,
    staggerMs: STREAM.staggerMs,
  }
  const rows = (engine: Engine, measured: Measured, extra: BenchResult['conditions']): BenchResult[] => {
    const conditions = { ...stream, ...extra, killed: measured.killed, loadAverage: measured.loadAverage }
    return [50, 99].map((p) => ({
      metric: `detector.${engine}.breach_to_kill.p${p}_ms`,
      value: round(percentile(measured.latencies, p)),
      unit: 'ms',
      conditions,
    }))
  }
  const ratio = (p: number): BenchResult => ({
    metric: `detector.spark_to_inprocess.p${p}_ratio`,
    value: round(percentile(spark.latencies, p) / percentile(inprocess.latencies, p), 1),
    unit: 'ratio',
    conditions: { ...stream, triggerMs: TRIGGER_MS },
  })
  return [
    ...rows('inprocess', inprocess, { log: 'kafka' }),
    ...rows('spark', spark, { triggerMs: TRIGGER_MS, master: 'local[2]' }),
    ratio(50),
    ratio(99),
  ]
}

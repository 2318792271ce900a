/**
 * The Kafka part of the benchmark (`npm run bench -- --kafka`): the router on a real broker, the
 * bare kafkajs pipe on the same broker and topics as its ceiling, breach-to-drop latency, how
 * long a router takes to load 100,000 scopes from the compacted state topic, and the router as
 * `riskctl up --only router` runs it, with its process's peak memory. It recreates the
 * riskctl topics on the broker it is given: point it at a scratch broker (npm run kafka:start).
 */
import { randomUUID } from 'node:crypto'
import kafkajs from 'kafkajs'
import { loadDetectorTopology } from '../../src/config/detector-topology.js'
import { isLogError } from '../../src/log/errors.js'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import type { EventLog } from '../../src/log/port.js'
import { createAggregator } from '../../src/processors/aggregator.js'
import { createDetector } from '../../src/processors/detector.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { createRouter } from '../../src/processors/router.js'
import { KILL_SWITCH_ONLY } from '../../test/helpers/limits.js'
import { AUDIT, KILL_STATE, ORDERS, ORDERS_GATED, TOPIC_NAMES, TOPICS } from '../../topologies/topics.js'
import { percentile, round, type BenchResult } from './result.js'
import { BreachWatch } from './breach-watch.js'
import { benchRouterProcessOnKafka } from './kafka-router-process.js'
import { forkRunawaySender, runawaySchedule } from './runaway-schedule.js'
import { killedAccountState, sampleOrder } from './sample-order.js'

const { Kafka, logLevel } = kafkajs
export const BENCH_BROKERS = (process.env.RISKCTL_BENCH_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((b) => b.trim())
const ORDER_COUNT = 100_000
const KILLED_ACCOUNTS = 1_000
const SCOPES = 100_000

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/** Router and raw pipe runs, taken in turns: a broker's pace drifts over minutes, and each pair sees the same drift. */
const PIPE_RUNS = 3

export async function benchKafka(): Promise<BenchResult[]> {
  const routers: BenchResult[] = []
  const pipes: BenchResult[] = []
  for (let run = 0; run < PIPE_RUNS; run += 1) {
    await onFreshTopics(async (log) => {
      routers.push(await benchRouterOnKafka(log))
      pipes.push(await benchRawPipe())
    })
  }
  const router = medianRun(routers)
  const pipe = medianRun(pipes)
  const ratio: BenchResult = {
    metric: 'router.kafka.ratio_to_raw_pipe',
    value: round(router.value / pipe.value, 2),
    unit: 'ratio',
    conditions: { aim: '>= 0.8', runs: `median of ${PIPE_RUNS} each, in turns on fresh topics` },
  }
  // On topics of their own, as the embedded suites each get a log of their own: the router suite's 100,000 orders
  // on eight symbols are over the symbol rule's threshold, and a detector warming up on them would kill every
  // symbol before any runaway breached (first DROPs before the breach, negative latencies).
  const [latency, bootstrap] = await onFreshTopics(async (log) => [await benchBreachToDropOnKafka(log), await benchStateBootstrap(log)])
  const process = await onFreshTopics((log) => benchRouterProcessOnKafka(log, BENCH_BROKERS))
  return [router, pipe, ratio, ...latency, bootstrap, ...process]
}

/** The median run, with the spread of all of them in its conditions. */
function medianRun(runs: readonly BenchResult[]): BenchResult {
  const sorted = [...runs].sort((a, b) => a.value - b.value)
  const median = sorted[Math.floor(sorted.length / 2)]!
  return {
    ...median,
    conditions: { ...median.conditions, runs: `median of ${runs.length}`, min: sorted[0]!.value, max: sorted.at(-1)!.value },
  }
}

/** Runs `work` on a log whose riskctl topics and groups were just recreated. */
export async function onFreshTopics<T>(work: (log: EventLog) => Promise<T>): Promise<T> {
  await recreateTopics()
  const log = await openBenchLog()
  try {
    await log.createTopics(TOPICS)
    return await work(log)
  } finally {
    await log.close()
  }
}

export async function openBenchLog(): Promise<EventLog> {
  try {
    return await openKafkaLog({ brokers: BENCH_BROKERS, connection: { ssl: false } })
  } catch (error) {
    if (isLogError(error) && error.code === 'RISKCTL_BROKER_UNREACHABLE') {
      throw new Error(
        `No Kafka broker answers at ${BENCH_BROKERS.join(',')}: start one with npm run kafka:start, or set RISKCTL_BENCH_BROKERS.`,
      )
    }
    throw error
  }
}

function admin() {
  return new Kafka({ clientId: 'riskctl-bench', brokers: BENCH_BROKERS, logLevel: logLevel.NOTHING }).admin()
}

/** Topics a bench made for itself, gone again. */
export async function deleteBenchTopics(topics: string[]): Promise<void> {
  const client = admin()
  await client.connect()
  try {
    await client.deleteTopics({ topics, timeout: 30_000 })
  } finally {
    await client.disconnect()
  }
}

/** Fresh topics and groups, so each run measures the same work whatever ran before. */
async function recreateTopics(): Promise<void> {
  const client = admin()
  await client.connect()
  try {
    const present = (await client.listTopics()).filter((name) => TOPIC_NAMES.includes(name))
    if (present.length > 0) await client.deleteTopics({ topics: present, timeout: 30_000 })
    while ((await client.listTopics()).some((name) => TOPIC_NAMES.includes(name))) await sleep(200)
    await client.deleteGroups(['riskctl-router', 'riskctl-aggregator']).catch(() => undefined)
  } finally {
    await client.disconnect()
  }
}

/** The router on Kafka, end to end: read, decide, audit and forward in a transaction with the commit. */
async function benchRouterOnKafka(log: EventLog): Promise<BenchResult> {
  await log.produce(
    KILL_STATE,
    Array.from({ length: KILLED_ACCOUNTS }, (_, i) => killedAccountState(i)),
  )
  const orders = Array.from({ length: ORDER_COUNT }, (_, i) => {
    const order = sampleOrder(i)
    const account = i % 10 === 0 ? `k${i % KILLED_ACCOUNTS}` : order.account_id
    return jsonRecord(account, { ...order, account_id: account })
  })
  for (let i = 0; i < ORDER_COUNT; i += 5000) await log.produce(ORDERS, orders.slice(i, i + 5000))

  const controller = new AbortController()
  // Timed as the raw pipe is, from its first durable batch to its last: joining the group, loading the state and
  // the first fetch are not decisions.
  let started = 0
  let startedAt = 0
  let finished = 0
  // The kill switch alone, as the raw pipe it is set beside does no checking either.
  const router = createRouter(log, {
    limits: KILL_SWITCH_ONLY,
    onBatch: () => {
      if (started === 0) {
        started = performance.now()
        startedAt = router.stats.ordersIn
      }
      if (router.stats.ordersIn >= ORDER_COUNT && finished === 0) {
        finished = performance.now()
        controller.abort()
      }
    },
  })
  await router.run(controller.signal)
  return {
    metric: 'router.kafka.decisions_per_s',
    value: Math.round((ORDER_COUNT - startedAt) / ((finished - started) / 1000)),
    unit: 'decisions/s',
    conditions: {
      orders: ORDER_COUNT,
      killedAccounts: KILLED_ACCOUNTS,
      dropped: router.stats.dropped,
      partitions: 3,
      writes: 'audit+gated+commit per batch, one transaction',
    },
  }
}

/**
 * kafkajs alone: the same orders copied to the same two output topics in one transaction per
 * fetched batch, with the group's offsets, read_committed. No parsing, no decision.
 */
async function benchRawPipe(): Promise<BenchResult> {
  const kafka = new Kafka({
    clientId: 'riskctl-bench-pipe',
    brokers: BENCH_BROKERS,
    logLevel: logLevel.NOTHING,
  })
  const groupId = `riskctl-bench-pipe-${randomUUID()}`
  const producer = kafka.producer({
    transactionalId: groupId,
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: kafkajs.Partitioners.DefaultPartitioner,
  })
  const consumer = kafka.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 250 })
  await producer.connect()
  await consumer.connect()
  await consumer.subscribe({ topics: [ORDERS], fromBeginning: true })
  let copied = 0
  let started = 0
  let startedAt = 0
  let finished = 0
  let resolveDone = (): void => undefined
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve
  })
  await consumer.run({
    autoCommit: false,
    eachBatch: async ({ batch }) => {
      const messages = batch.messages.map((m) => ({ key: m.key, value: m.value, partition: batch.partition }))
      const transaction = await producer.transaction()
      await transaction.sendBatch({
        acks: -1,
        topicMessages: [
          { topic: AUDIT, messages },
          { topic: ORDERS_GATED, messages },
        ],
      })
      await transaction.sendOffsets({
        consumerGroupId: groupId,
        topics: [
          {
            topic: ORDERS,
            partitions: [{ partition: batch.partition, offset: String(Number(batch.lastOffset()) + 1) }],
          },
        ],
      })
      await transaction.commit()
      copied += batch.messages.length
      if (started === 0) {
        started = performance.now()
        startedAt = copied
      }
      if (copied >= ORDER_COUNT && finished === 0) {
        finished = performance.now()
        resolveDone()
      }
    },
  })
  await done
  await consumer.disconnect()
  await producer.disconnect()
  return {
    metric: 'kafka.raw_pipe.records_per_s',
    value: Math.round((ORDER_COUNT - startedAt) / ((finished - started) / 1000)),
    unit: 'records/s',
    conditions: {
      records: ORDER_COUNT,
      partitions: 3,
      writes: 'audit+gated+offsets per fetched batch, one transaction',
    },
  }
}

/** 100 accounts run away one after another, each at 200 orders/s for 150 orders. */
const RUNAWAY = { accounts: 100, perAccount: 150, rate: 200, staggerMs: 100 } as const

/**
 * As benchBreachToDrop in pipeline.ts, on Kafka: 100 runaway accounts, breach order to first DROP.
 * The orders come from a process of their own, as from `riskctl generate`: sent from the
 * processors' event loop they would leave late whenever a processor is busy, and that lateness
 * would count as the pipeline's. An account that never sees a DROP counts as infinitely late.
 */
async function benchBreachToDropOnKafka(log: EventLog): Promise<BenchResult[]> {
  const settings = loadDetectorTopology()
  const controller = new AbortController()
  const breachSeq = settings.thresholds.orderCount
  const watch = new BreachWatch('runaway-', breachSeq)
  const router = createRouter(log, { limits: KILL_SWITCH_ONLY, onBatch: watch.observe })
  const sender = await forkRunawaySender()
  const processors = [createAggregator(log), router, createDetector(log, { settings })]
  const runs = processors.map((p) => p.run(controller.signal))
  try {
    while (!processors.every((p) => p.stats.ready)) await sleep(10)
    await sleep(500)

    const plan = {
      accounts: RUNAWAY.accounts,
      ordersPerAccount: RUNAWAY.perAccount,
      ordersPerSecond: RUNAWAY.rate,
      staggerMs: RUNAWAY.staggerMs,
      accountPrefix: 'runaway-',
      breachSeq,
    }
    const startMs = Date.now() + 100
    const { breachTs } = runawaySchedule(plan, startMs)
    await sender.send({ plan, startMs })
    const deadline = Date.now() + 20_000
    while (watch.dropped < RUNAWAY.accounts && Date.now() < deadline) await sleep(50)

    const latencies = watch.latencies(breachTs)
    const leaks = watch.leaks(breachTs)
    const conditions = {
      accounts: RUNAWAY.accounts,
      ordersPerSecond: RUNAWAY.rate,
      killed: watch.dropped,
      sender: 'own process',
      aim: 'p99 <= 100 ms',
    }
    return [
      {
        metric: 'pipeline.kafka.breach_to_drop.p50_ms',
        value: round(percentile(latencies, 50)),
        unit: 'ms',
        conditions,
      },
      {
        metric: 'pipeline.kafka.breach_to_drop.p99_ms',
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        conditions,
      },
      { metric: 'pipeline.kafka.leakage.max_orders', value: leaks.at(-1) ?? 0, unit: 'orders', conditions },
    ]
  } finally {
    sender.stop()
    controller.abort()
    await Promise.all(runs)
  }
}

/** How long a starting router waits for the kill state: readCompacted over 100,000 scopes. */
async function benchStateBootstrap(log: EventLog): Promise<BenchResult> {
  for (let i = 0; i < SCOPES; i += 5000) {
    await log.produce(
      KILL_STATE,
      Array.from({ length: 5000 }, (_, j) => killedAccountState(i + j)),
    )
  }
  const reader = await openBenchLog()
  try {
    const started = performance.now()
    const view = await reader.readCompacted(KILL_STATE)
    const ms = performance.now() - started
    return {
      metric: 'kafka.state_bootstrap.100k_scopes_ms',
      value: Math.round(ms),
      unit: 'ms',
      conditions: { scopes: view.records.size, partitions: 3 },
    }
  } finally {
    await reader.close()
  }
}


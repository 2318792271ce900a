import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import kafkajs from 'kafkajs'
import type { Order } from '../../src/domain/order.js'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import type { EventLog, ProduceRecord } from '../../src/log/port.js'
import { AGGREGATOR_GROUP, DETECTOR_GROUP, ROUTER_GROUP } from '../../topologies/groups.js'
import { AGGREGATOR_PROGRESS_GROUP, ROUTER_PROGRESS_GROUP } from '../../topologies/aws/names.js'
import { ORDERS, TOPIC_NAMES, TOPICS } from '../../topologies/topics.js'
import { runCli, spawnCli, type SpawnedCli } from '../helpers/cli.js'
import { withLimits } from '../helpers/pipeline.js'

/** The broker scripts/kafka/test-kafka.sh started, or another one named by RISKCTL_TEST_BROKERS. */
export const BROKERS = (process.env.RISKCTL_TEST_BROKERS ?? '127.0.0.1:9092')
  .split(',')
  .map((broker) => broker.trim())
  .filter((broker) => broker !== '')

export function openTestLog(): Promise<EventLog> {
  return openKafkaLog({ brokers: BROKERS, connection: { ssl: false } })
}

/** The environment a riskctl process needs to use the test broker. */
export function kafkaEnv(): Record<string, string> {
  return { RISKCTL_BROKERS: BROKERS.join(',') }
}

/**
 * Deletes riskctl's fixed-name topics and its groups, so a suite that runs the real processors
 * starts from nothing whatever ran before it on the shared broker.
 */
export async function resetRiskctlTopics(broker: { brokers: string[]; sasl?: kafkajs.SASLOptions } = { brokers: BROKERS }): Promise<void> {
  const admin = new kafkajs.Kafka({
    clientId: 'riskctl-test',
    ...broker,
    logLevel: kafkajs.logLevel.NOTHING,
  }).admin()
  await admin.connect()
  try {
    const present = (await admin.listTopics()).filter((name) => TOPIC_NAMES.includes(name))
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 30_000 })
    // A broker just started on a long run's data may take a while to delete its topics.
    const deadline = Date.now() + 90_000
    while ((await admin.listTopics()).some((name) => TOPIC_NAMES.includes(name))) {
      if (Date.now() > deadline) throw new Error('the riskctl topics were not deleted within 90 s')
      await sleep(200)
    }
    await admin
      .deleteGroups([ROUTER_GROUP, AGGREGATOR_GROUP, DETECTOR_GROUP, ROUTER_PROGRESS_GROUP, AGGREGATOR_PROGRESS_GROUP])
      .catch(() => undefined)
  } finally {
    await admin.disconnect()
  }
}

/** Creates the riskctl topics, orders.v1 with as many partitions as asked. */
export async function createRiskctlTopics(orderPartitions = 3): Promise<void> {
  const log = await openTestLog()
  try {
    await log.createTopics(
      TOPICS.map((spec) => (spec.name === ORDERS ? { ...spec, partitions: orderPartitions } : spec)),
    )
  } finally {
    await log.close()
  }
}

export interface RunningProcess {
  readonly process: SpawnedCli
  stderr(): string
  /** The newest status line `up` printed (one a second when not on a terminal). */
  lastStatus(): string
}

/** `riskctl up` on the test broker, resolved once it reports the kill state loaded. */
export async function startUpOnKafka(dataDir: string, args: readonly string[]): Promise<RunningProcess> {
  const child = spawnCli(['up', ...withLimits(args)], { dataDir, env: kafkaEnv() })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const deadline = Date.now() + 60_000
  while (!stderr.includes('ready:')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`riskctl up did not become ready:\n${stderr}`)
    }
    await sleep(100)
  }
  const lastStatus = () =>
    stderr
      .split('\n')
      .filter((line) => line.includes('orders in'))
      .at(-1) ?? ''
  return { process: child, stderr: () => stderr, lastStatus }
}

export async function stopProcess(running: RunningProcess | undefined): Promise<void> {
  if (running === undefined || running.process.exitCode !== null) return
  running.process.kill('SIGKILL')
  await running.process
}

/** Orders as the generator writes them: keyed by account, unless a partition is forced. */
export function orderRecord(order: Order, partition?: number): ProduceRecord {
  const record = { key: order.account_id, value: Buffer.from(JSON.stringify(order)), timestamp: Date.now() }
  return partition === undefined ? record : { ...record, partition }
}

let priced = 0

/**
 * An order of AAPL near 100 (the reference price referencePrices() publishes), each priced a cent apart, so that no
 * two orders of an account are the same order sent again (DUPLICATIVE) to a router with every check.
 */
export function order(id: string, account: string): Order {
  priced += 1
  return {
    order_id: id,
    ts: Date.now(),
    account_id: account,
    symbol: 'AAPL',
    side: 'BUY',
    qty: 1,
    price: 100 + (priced % 300) / 100,
    strategy: 'momentum',
  }
}

/** The reference price of the orders' symbol, for a router with every check: AAPL at 100. */
export function referencePrices(): ProduceRecord[] {
  return [{ key: 'AAPL', value: Buffer.from(JSON.stringify({ symbol: 'AAPL', price: 100, ts: Date.now(), source: 'test' })) }]
}

/** Every record of a topic, read to its current end through the adapter. */
export async function readAll<T>(topic: string): Promise<T[]> {
  const log = await openTestLog()
  try {
    const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
    const ends = await consumer.endOffsets()
    const values: T[] = []
    const done = () => {
      const at = new Map(consumer.positions().map((p) => [p.partition, p.offset]))
      return ends.every((end) => (at.get(end.partition) ?? -1) >= end.offset)
    }
    const deadline = Date.now() + 60_000
    while (!done() && Date.now() < deadline) {
      for (const record of await consumer.poll({ maxRecords: 5000, maxWaitMs: 200 })) {
        if (record.value !== null) values.push(JSON.parse(record.value.toString()) as T)
      }
    }
    await consumer.close()
    return values
  } finally {
    await log.close()
  }
}

/** The broker scripts/kafka/test-kafka.sh started, stopped and started again on the same data. */
export async function restartBrokerKeepingData(whileStopped: () => Promise<void>): Promise<void> {
  if (process.env.KAFKA_RUN_DIR === undefined) {
    throw new Error(
      'This suite stops and restarts the broker: run it with npm run test:kafka (KAFKA_RUN_DIR unset).',
    )
  }
  await execa('bash', [KAFKA_SH, 'stop'], { stdio: 'inherit' })
  try {
    await whileStopped()
  } finally {
    await execa('bash', [KAFKA_SH, 'start'], {
      env: { KAFKA_KEEP_DATA: '1' },
      stdout: 'ignore',
      stderr: 'inherit',
    })
  }
}

const KAFKA_SH = fileURLToPath(new URL('../../scripts/kafka/kafka.sh', import.meta.url))

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/** A riskctl command's --json output, run against the test broker. */
export async function cliJsonOnKafka<T>(args: readonly string[], dataDir: string): Promise<T> {
  const result = await runCli([...args, '--json'], { dataDir, env: kafkaEnv(), timeoutMs: 60_000 })
  if (result.exitCode !== 0)
    throw new Error(`riskctl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/** Retries until `check` returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await sleep(250)
  }
}

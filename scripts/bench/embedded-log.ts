import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { execa } from 'execa'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { TOPICS, ORDERS } from '../../topologies/topics.js'
import { percentile, round, type BenchResult } from './result.js'
import { sampleOrder } from './sample-order.js'

const WRITER = fileURLToPath(new URL('./tail-latency-writer.ts', import.meta.url))

/** Embedded log: append throughput (batched and one by one) and cross-process tail latency. */
export async function benchEmbeddedLog(): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-'))
  try {
    const log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    const values = Array.from({ length: 200_000 }, (_, i) => {
      const order = sampleOrder(i)
      return { key: order.account_id, value: Buffer.from(JSON.stringify(order)) }
    })
    const recordBytes = values[0]!.value.length

    const batchSize = 500
    const batchedCount = 200_000
    let start = performance.now()
    for (let i = 0; i < batchedCount; i += batchSize) await log.produce(ORDERS, values.slice(i, i + batchSize))
    const batchedSeconds = (performance.now() - start) / 1000

    const singleCount = 5_000
    start = performance.now()
    for (let i = 0; i < singleCount; i += 1) await log.produce(ORDERS, [values[i]!])
    const singleSeconds = (performance.now() - start) / 1000
    await log.close()

    const latencies = await tailLatency(dataDir)
    const conditions = { recordBytes, partitions: 3, synchronous: 'NORMAL', journal: 'WAL' }
    return [
      {
        metric: 'embedded.append.batched.records_per_s',
        value: Math.round(batchedCount / batchedSeconds),
        unit: 'records/s',
        conditions: { ...conditions, records: batchedCount, batchSize },
      },
      {
        metric: 'embedded.append.single.records_per_s',
        value: Math.round(singleCount / singleSeconds),
        unit: 'records/s',
        conditions: { ...conditions, records: singleCount, batchSize: 1 },
      },
      {
        metric: 'embedded.tail.cross_process.p50_ms',
        value: round(percentile(latencies, 50)),
        unit: 'ms',
        conditions: { samples: latencies.length, writerIntervalMs: 10 },
      },
      {
        metric: 'embedded.tail.cross_process.p99_ms',
        value: round(percentile(latencies, 99)),
        unit: 'ms',
        conditions: { samples: latencies.length, writerIntervalMs: 10 },
      },
    ]
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

/** A consumer in this process follows what a writer in another process appends. */
async function tailLatency(dataDir: string): Promise<number[]> {
  const count = 300
  const log = await openEmbeddedLog({ dataDir })
  const topic = 'risk_signals.v1'
  const consumer = await log.consumer({ topics: [topic], from: { type: 'latest' } })
  const writer = execa('node', ['--import', 'tsx', WRITER, dataDir, topic, String(count), '10'], { stdio: 'inherit' })
  const latencies: number[] = []
  const deadline = Date.now() + 60_000
  while (latencies.length < count && Date.now() < deadline) {
    for (const record of await consumer.poll({ maxWaitMs: 200 })) {
      const receivedAt = performance.timeOrigin + performance.now()
      const { sentAt } = JSON.parse(record.value!.toString()) as { sentAt: number }
      latencies.push(receivedAt - sentAt)
    }
  }
  await writer
  await consumer.close()
  await log.close()
  return latencies.sort((a, b) => a - b)
}

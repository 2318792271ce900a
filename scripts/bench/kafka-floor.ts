import { randomUUID } from 'node:crypto'
import type { Consumer, ProduceRecord } from '../../src/log/port.js'
import { deleteBenchTopics, openBenchLog } from './kafka.js'
import { nowMs } from './kill-watch.js'
import { percentile, round, type BenchResult } from './result.js'

const PROBES = 200

/**
 * What a kill costs on this broker through kafkajs with nothing else running, step by step as the pipeline
 * takes them: an append reaching a reader (the KILL reaching the aggregator), a transaction with a group
 * commit reaching a read_committed reader (the state reaching the router), and the end offsets a router asks
 * for before it decides a batch. Their sum is the least a kill can take here, whatever riskctl does around it.
 */
export async function benchKafkaFloor(): Promise<BenchResult[]> {
  // A log of its own: kafkajs keeps asking for the metadata of a topic it has used, even once it is deleted.
  const log = await openBenchLog()
  const input = `bench.floor.${randomUUID()}`
  const output = `bench.floor.${randomUUID()}`
  const spec = (name: string) => ({ name, description: 'bench probe', partitions: 1, keyField: 'k', cleanupPolicy: 'delete' as const, configs: {}, schema: undefined as never })
  await log.createTopics([spec(input), spec(output)])
  const record = (n: number): ProduceRecord => ({ key: 'k', value: Buffer.from(JSON.stringify({ n })) })
  const reader = await log.consumer({ topics: [input, output], from: { type: 'latest' } })
  const groupId = `bench-floor-${randomUUID()}`
  const member = await log.consumer({ topics: [input], groupId, from: { type: 'earliest' } })
  const appended: number[] = []
  const committed: number[] = []
  const ends: number[] = []
  try {
    for (let n = 0; n < PROBES; n += 1) {
      let started = nowMs()
      await log.produce(input, [record(n)])
      await until(reader, input)
      appended.push(nowMs() - started)
      await member.poll({ maxWaitMs: 1000 })
      started = nowMs()
      await log.write([{ topic: output, records: [record(n)] }], { groupId, offsets: member.positions() })
      await until(reader, output)
      committed.push(nowMs() - started)
      started = nowMs()
      await reader.endOffsets()
      ends.push(nowMs() - started)
      await new Promise((resolve) => setTimeout(resolve, 5))
    }
  } finally {
    await log.close()
    await deleteBenchTopics([input, output])
  }
  const p50 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50)
  const conditions = { probes: PROBES, pipeline: 'none running', client: 'kafkajs 2.2.4 through the adapter' }
  const figures: [string, number[], string][] = [
    ['append_to_read', appended, 'idempotent append, acks=all, until a read_committed reader has it'],
    ['transaction_to_read', committed, 'one record and a group commit in a transaction, until a read_committed reader has it'],
    ['end_offsets', ends, 'end offsets of a topic (kafkajs admin: two ListOffsets)'],
  ]
  return [
    ...figures.map(([name, values, what]) => ({ metric: `kill.kafka.floor.${name}.p50_ms`, value: round(p50(values), 2), unit: 'ms', conditions: { ...conditions, what } })),
    {
      metric: 'kill.kafka.floor.command_to_drop.p50_ms',
      value: round(p50(appended) + p50(committed) + p50(ends), 2),
      unit: 'ms',
      conditions: { ...conditions, what: 'the three above added: the least a command to DROP can take here' },
    },
  ]
}

async function until(reader: Consumer, topic: string): Promise<void> {
  for (;;) if ((await reader.poll({ maxWaitMs: 1000 })).some((r) => r.topic === topic)) return
}

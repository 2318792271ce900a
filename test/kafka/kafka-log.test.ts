import kafkajs from 'kafkajs'
import { afterEach, describe, expect, it } from 'vitest'
import { isLogError } from '../../src/log/errors.js'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import { partitionForKey } from '../../src/log/partitioner.js'
import type { Consumer, EventLog, LogRecord } from '../../src/log/port.js'
import { drain, json, parse, testTopic } from '../contract/support.js'
import { openTestLog } from './support.js'

const { Partitioners } = kafkajs

describe('kafka log: what the contract cannot see', () => {
  const opened: EventLog[] = []
  async function open(): Promise<EventLog> {
    const log = await openTestLog()
    opened.push(log)
    return log
  }
  afterEach(async () => {
    for (const log of opened.splice(0)) await log.close()
  })

  it('fails with RISKCTL_BROKER_UNREACHABLE within 10 s when no broker answers, naming the address', async () => {
    const started = Date.now()
    const error = await openKafkaLog({ brokers: ['127.0.0.1:1'], connection: { ssl: false } }).catch(
      (e: unknown) => e,
    )
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(isLogError(error) && error.code).toBe('RISKCTL_BROKER_UNREACHABLE')
    expect(isLogError(error) && error.message).toContain('127.0.0.1:1')
  })

  it('puts a keyed record where kafkajs and Java clients would: murmur2, as the embedded log does', async () => {
    const partitioner = Partitioners.DefaultPartitioner()
    const partitionMetadata = [0, 1, 2].map((partitionId) => ({
      partitionErrorCode: 0,
      partitionId,
      leader: 1,
      replicas: [1],
      isr: [1],
    }))
    const keys = ['ACCOUNT:1', 'SYMBOL:AAPL', 'GLOBAL', 'acct-0', 'é-ünï', 'x'.repeat(37), '']
    for (const key of keys) {
      expect(partitioner({ topic: 't', partitionMetadata, message: { key, value: null } })).toBe(
        partitionForKey(key, 3),
      )
    }
    const log = await open()
    const spec = testTopic()
    await log.createTopics([spec])
    const metadata = await log.produce(
      spec.name,
      keys.map((key) => ({ key, value: json(key) })),
    )
    expect(metadata.map((m) => m.partition)).toEqual(keys.map((key) => partitionForKey(key, 3)))
  })

  it('creates topics with their configs and reports each with its source, and partitions with leaders', async () => {
    const log = await open()
    const spec = testTopic({
      cleanupPolicy: 'compact',
      configs: { 'cleanup.policy': 'compact', 'min.cleanable.dirty.ratio': '0.01', 'segment.ms': '100' },
    })
    await log.createTopics([spec])
    const description = await log.describeTopic(spec.name)
    const config = (name: string) => description.configs.find((c) => c.name === name)
    expect(config('cleanup.policy')).toEqual({
      name: 'cleanup.policy',
      value: 'compact',
      source: 'TOPIC_CONFIG',
    })
    expect(config('min.cleanable.dirty.ratio')).toEqual({
      name: 'min.cleanable.dirty.ratio',
      value: '0.01',
      source: 'TOPIC_CONFIG',
    })
    expect(config('retention.ms')).toEqual({
      name: 'retention.ms',
      value: '604800000',
      source: 'DEFAULT_CONFIG',
    })
    for (const name of ['retention.bytes', 'delete.retention.ms', 'max.message.bytes']) {
      expect(config(name)?.source).not.toBe('TOPIC_CONFIG')
    }
    expect(description.partitions.map((p) => p.partition)).toEqual([0, 1, 2])
    for (const partition of description.partitions) {
      expect(partition.leader).toEqual(expect.any(Number))
      expect(partition.replicas).toContain(partition.leader)
    }
    expect(await log.listTopics()).not.toContain('__consumer_offsets')
  })

  it('refuses a record for a partition the topic does not have', async () => {
    const log = await open()
    const spec = testTopic()
    await log.createTopics([spec])
    const error = await log
      .produce(spec.name, [{ key: 'k', value: json(1), partition: 7 }])
      .catch((e: unknown) => e)
    expect(isLogError(error) && error.code).toBe('RISKCTL_PARTITION_INVALID')
  })

  it('writes several topics and a group commit in one transaction that read_committed sees whole', async () => {
    const log = await open()
    const input = testTopic({ partitions: 1 })
    const a = testTopic({ partitions: 1 })
    const b = testTopic({ partitions: 1 })
    await log.createTopics([input, a, b])
    await log.produce(
      input.name,
      [0, 1, 2].map((i) => ({ key: 'k', value: json(i) })),
    )
    const groupId = `${input.name}.processor`
    const reader = await log.consumer({ topics: [a.name, b.name], from: { type: 'earliest' } })

    const metadata = await log.write(
      [
        {
          topic: a.name,
          records: [
            { key: 'k', value: json('a1') },
            { key: 'k', value: json('a2') },
          ],
        },
        { topic: b.name, records: [{ key: 'k', value: json('b1') }] },
      ],
      { groupId, offsets: [{ topic: input.name, partition: 0, offset: 2 }] },
    )
    expect(metadata.map((m) => [m.topic, m.offset])).toEqual([
      [a.name, 0],
      [a.name, 1],
      [b.name, 0],
    ])
    const seen = await drain(reader, 3)
    expect(seen.map(parse).sort()).toEqual(['a1', 'a2', 'b1'])
    await reader.close()

    const resumed = await (
      await open()
    ).consumer({ topics: [input.name], groupId, from: { type: 'earliest' } })
    expect(resumed.positions()).toEqual([{ topic: input.name, partition: 0, offset: 2 }])
    expect((await drain(resumed, 1)).map(parse)).toEqual([2])
    await resumed.close()
  })

  it('aborts the whole transaction when part of it fails: no record and no commit is visible', async () => {
    const log = await open()
    const input = testTopic({ partitions: 1 })
    const output = testTopic({ partitions: 1 })
    await log.createTopics([input, output])
    await log.produce(input.name, [{ key: 'k', value: json(0) }])
    const groupId = `${input.name}.processor`
    // The second request carries a record over the broker's 1 MiB limit, after the first was sent.
    const error = await log
      .write(
        [
          { topic: output.name, records: [{ key: 'k', value: json('small') }] },
          { topic: output.name, records: [{ key: 'k', value: Buffer.alloc(1_500_000, 1) }] },
        ],
        { groupId, offsets: [{ topic: input.name, partition: 0, offset: 1 }] },
      )
      .catch((e: unknown) => e)
    expect(isLogError(error) && error.code).toBe('RISKCTL_RECORD_INVALID')

    const reader = await log.consumer({ topics: [output.name], from: { type: 'earliest' } })
    const ends = await reader.endOffsets()
    // The aborted record and the abort marker take offsets; read_committed skips both.
    expect(ends[0]!.offset).toBeGreaterThanOrEqual(1)
    const read = await readToEnd(reader)
    expect(read).toEqual([])
    expect(reader.positions()).toEqual(ends)
    await reader.close()

    const group = await log.consumer({ topics: [input.name], groupId, from: { type: 'earliest' } })
    expect(group.positions()).toEqual([{ topic: input.name, partition: 0, offset: 0 }])
    await group.close()
  })

  it('fences the older of two writers for the same group and partitions', async () => {
    const older = await open()
    const newer = await open()
    const input = testTopic({ partitions: 1 })
    const output = testTopic({ partitions: 1 })
    await older.createTopics([input, output])
    const groupId = `${input.name}.processor`
    const commit = (offset: number) => ({ groupId, offsets: [{ topic: input.name, partition: 0, offset }] })
    await older.write([{ topic: output.name, records: [{ key: 'k', value: json('old') }] }], commit(1))
    await newer.write([{ topic: output.name, records: [{ key: 'k', value: json('new') }] }], commit(2))
    const error = await older
      .write([{ topic: output.name, records: [{ key: 'k', value: json('zombie') }] }], commit(3))
      .catch((e: unknown) => e)
    expect(isLogError(error) && error.code).toBe('RISKCTL_GROUP_BUSY')
    const reader = await newer.consumer({ topics: [output.name], from: { type: 'earliest' } })
    expect((await readToEnd(reader)).map(parse)).toEqual(['old', 'new'])
    await reader.close()
  })

  it('writes transactions back to back, with records or only a commit, while the previous ones complete', async () => {
    // The broker refuses a transaction that starts before the previous one's markers are written;
    // a commit without records meets that refusal in AddOffsetsToTxn rather than AddPartitionsToTxn.
    const log = await open()
    const input = testTopic({ partitions: 1 })
    const output = testTopic({ partitions: 1 })
    await log.createTopics([input, output])
    const groupId = `${input.name}.processor`
    for (let offset = 1; offset <= 40; offset += 1) {
      const records = offset % 2 === 0 ? [] : [{ key: 'k', value: json(offset) }]
      await log.write([{ topic: output.name, records }], {
        groupId,
        offsets: [{ topic: input.name, partition: 0, offset }],
      })
    }
    const resumed = await (await open()).consumer({ topics: [input.name], groupId })
    expect(resumed.positions()).toEqual([{ topic: input.name, partition: 0, offset: 40 }])
    const reader = await log.consumer({ topics: [output.name], from: { type: 'earliest' } })
    expect((await readToEnd(reader)).map(parse)).toEqual(Array.from({ length: 20 }, (_, i) => 2 * i + 1))
    await reader.close()
    await resumed.close()
  })

  it('connects a member’s writer when it is assigned: the previous holder is fenced before the new one writes', async () => {
    const older = await open()
    const input = testTopic({ partitions: 1 })
    const output = testTopic({ partitions: 1 })
    await older.createTopics([input, output])
    const groupId = `${input.name}.processor`
    const commit = (offset: number) => ({ groupId, offsets: [{ topic: input.name, partition: 0, offset }] })
    const write = (log: EventLog, offset: number) =>
      log.write([{ topic: output.name, records: [{ key: 'k', value: json(offset) }] }], commit(offset))
    await write(older, 1)

    // Given a new member of the group that is assigned the same partition but has not written…
    const member = await (await open()).consumer({ topics: [input.name], groupId })
    expect(member.positions()).toEqual([{ topic: input.name, partition: 0, offset: 1 }])

    // …the older writer is fenced all the same, within moments. A write that meets the takeover
    // half-way may first fail with an error marked retriable (its processor would start over from
    // the group's commit); only a fence ends the loop, and nothing else may be final.
    const deadline = Date.now() + 15_000
    let fenced: unknown
    for (let offset = 2; fenced === undefined && Date.now() < deadline; offset += 1) {
      const error = await write(older, offset).then(
        () => undefined,
        (e: unknown) => e,
      )
      if (isLogError(error) && error.code === 'RISKCTL_GROUP_BUSY') fenced = error
      else if (error !== undefined) {
        expect(isLogError(error) && error.retriable, `not retriable: ${String(error)}`).toBe(true)
      }
      if (fenced === undefined) await new Promise((resolve) => setTimeout(resolve, 100))
    }
    expect(isLogError(fenced) && fenced.code, 'the older writer was never fenced').toBe('RISKCTL_GROUP_BUSY')
    await member.close()
  })

  it('has a reader of no group read from its first fetch, and close without sitting out a long fetch', async () => {
    // Given a topic with one record.
    const log = await open()
    const spec = testTopic()
    await log.createTopics([spec])
    await log.produce(spec.name, [{ key: 'k', value: json('hello') }])
    // When a reader of no group opens on it, reads the record and closes (the best of three: the machine is shared)…
    const reads: number[] = []
    const closes: number[] = []
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const opened = Date.now()
      const reader = await log.consumer({ topics: [spec.name], from: { type: 'earliest' } })
      expect((await drain(reader, 1)).map(parse)).toEqual(['hello'])
      const read = Date.now()
      await reader.close()
      reads.push(read - opened)
      closes.push(Date.now() - read)
    }
    // …then the record comes sooner than the 250 ms kafkajs sleeps when every assigned partition is paused (as
    // they were while a reader looked up where to start), and close() waits out no 250 ms fetch.
    expect(Math.min(...reads)).toBeLessThan(250)
    expect(Math.min(...closes)).toBeLessThan(200)
  })

  it('shares a group between two consumers and hands partitions over without skipping a record', async () => {
    const log = await open()
    const spec = testTopic({ partitions: 4 })
    await log.createTopics([spec])
    await log.produce(
      spec.name,
      Array.from({ length: 40 }, (_, seq) => ({ key: `k${seq}`, value: json(seq) })),
    )
    const groupId = `${spec.name}.group`
    const first = await log.consumer({ topics: [spec.name], groupId, from: { type: 'earliest' } })
    const second = await (await open()).consumer({ topics: [spec.name], groupId, from: { type: 'earliest' } })
    const seen = new Set<number>()
    const collect = (records: LogRecord[]) => records.forEach((r) => seen.add(parse(r) as number))

    // Until the first member has rejoined, it may still hold every partition; then they split.
    const split = async () => {
      const deadline = Date.now() + 20_000
      while (Date.now() < deadline) {
        collect(await first.poll({ maxWaitMs: 100 }))
        collect(await second.poll({ maxWaitMs: 100 }))
        const mine = first.positions().map((p) => p.partition)
        const theirs = second.positions().map((p) => p.partition)
        if (mine.length > 0 && theirs.length > 0 && mine.length + theirs.length === 4) return { mine, theirs }
      }
      throw new Error('the group never split its partitions')
    }
    const { mine, theirs } = await split()
    expect(mine.filter((p) => theirs.includes(p))).toEqual([])
    await first.commit()

    await second.close()
    const deadline = Date.now() + 20_000
    while (seen.size < 40 && Date.now() < deadline) collect(await first.poll({ maxWaitMs: 200 }))
    expect(seen.size).toBe(40)
    expect(first.positions().map((p) => p.partition)).toEqual([0, 1, 2, 3])
    await first.close()
  })
})

async function readToEnd(consumer: Consumer): Promise<LogRecord[]> {
  const ends = await consumer.endOffsets()
  const records: LogRecord[] = []
  const deadline = Date.now() + 15_000
  const done = () =>
    ends.every(
      (end) => (consumer.positions().find((p) => p.partition === end.partition)?.offset ?? -1) >= end.offset,
    )
  while (!done() && Date.now() < deadline) records.push(...(await consumer.poll({ maxWaitMs: 200 })))
  return records
}

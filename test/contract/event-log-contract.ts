import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { isLogError } from '../../src/log/errors.js'
import type { EventLog, LogRecord } from '../../src/log/port.js'
import { drain, eventually, json, parse, startWriter, testTopic, type ContractTarget } from './support.js'

/**
 * The event-log contract, written once. Every adapter runs it unchanged: the embedded log here,
 * the Kafka adapter against a real broker. What the processors rely on is exactly what is tested.
 */
export function describeEventLogContract(
  name: string,
  makeTarget: () => Promise<ContractTarget & { dispose(): Promise<void> }>,
): void {
  describe(`event-log contract: ${name}`, () => {
    let target: ContractTarget & { dispose(): Promise<void> }
    let log: EventLog
    const opened: EventLog[] = []

    async function reopen(): Promise<EventLog> {
      const next = await target.open()
      opened.push(next)
      return next
    }

    beforeEach(async () => {
      target = await makeTarget()
      log = await reopen()
    })

    afterEach(async () => {
      for (const each of opened.splice(0)) await each.close()
      await target.dispose()
    })

    it('creates topics idempotently and lists them', async () => {
      const spec = testTopic()
      expect(await log.createTopics([spec])).toEqual({ created: [spec.name], existing: [] })
      expect(await log.createTopics([spec])).toEqual({ created: [], existing: [spec.name] })
      expect(await log.listTopics()).toContain(spec.name)
    })

    it('refuses an unknown topic with RISKCTL_TOPIC_NOT_FOUND', async () => {
      const error = await log
        .produce('contract.no-such-topic', [{ key: 'k', value: json(1) }])
        .catch((e: unknown) => e)
      expect(isLogError(error) && error.code).toBe('RISKCTL_TOPIC_NOT_FOUND')
    })

    it('keeps order per key, puts one key on one partition, and never reuses an offset', async () => {
      const spec = testTopic()
      await log.createTopics([spec])
      const records = Array.from({ length: 60 }, (_, seq) => ({
        key: `acct-${seq % 4}`,
        value: json({ seq }),
      }))
      const first = await log.produce(spec.name, records.slice(0, 30))
      const second = await log.produce(spec.name, records.slice(30))
      const metadata = [...first, ...second]
      expect(metadata).toHaveLength(60)

      const partitionOfKey = new Map<string, number>()
      const seen = new Set<string>()
      metadata.forEach((m, i) => {
        const key = records[i]!.key
        expect(partitionOfKey.get(key) ?? m.partition).toBe(m.partition)
        partitionOfKey.set(key, m.partition)
        const id = `${m.partition}:${m.offset}`
        expect(seen.has(id)).toBe(false)
        seen.add(id)
      })

      const consumer = await log.consumer({ topics: [spec.name], from: { type: 'earliest' } })
      const read = await drain(consumer, 60)
      await consumer.close()
      expect(read).toHaveLength(60)
      for (let key = 0; key < 4; key += 1) {
        const seqs = read.filter((r) => r.key === `acct-${key}`).map((r) => (parse(r) as { seq: number }).seq)
        expect(seqs).toEqual([...seqs].sort((a, b) => a - b))
        expect(seqs).toHaveLength(15)
      }
      for (const partition of new Set(read.map((r) => r.partition))) {
        const offsets = read.filter((r) => r.partition === partition).map((r) => r.offset)
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b))
      }
    })

    it('returns keys, values, tombstones, headers and timestamps as produced', async () => {
      const spec = testTopic({ partitions: 1 })
      await log.createTopics([spec])
      const timestamp = Date.now() - 60_000
      await log.produce(spec.name, [
        { key: 'a', value: json({ n: 1 }), timestamp, headers: { source: 'test' } },
        { key: null, value: Buffer.from('not json at all') },
        { key: 'a', value: null },
      ])
      const consumer = await log.consumer({ topics: [spec.name], from: { type: 'earliest' } })
      const [first, second, third] = await drain(consumer, 3)
      await consumer.close()
      expect(first).toMatchObject({ key: 'a', timestamp, headers: { source: 'test' }, offset: 0 })
      expect(parse(first!)).toEqual({ n: 1 })
      expect(second!.key).toBeNull()
      expect(second!.value?.toString()).toBe('not json at all')
      expect(third!.value).toBeNull()
    })

    it('starts from earliest, latest, given offsets or a timestamp', async () => {
      const spec = testTopic({ partitions: 1 })
      await log.createTopics([spec])
      const t0 = Date.now() - 60_000
      await log.produce(
        spec.name,
        [0, 1, 2, 3].map((i) => ({ key: 'k', value: json(i), timestamp: t0 + i * 1000 })),
      )
      const values = (records: LogRecord[]) => records.map(parse)

      const latest = await log.consumer({ topics: [spec.name], from: { type: 'latest' } })
      expect(latest.positions()).toEqual([{ topic: spec.name, partition: 0, offset: 4 }])
      await log.produce(spec.name, [{ key: 'k', value: json(4), timestamp: t0 + 4000 }])
      expect(values(await drain(latest, 1))).toEqual([4])
      await latest.close()

      const earliest = await log.consumer({ topics: [spec.name], from: { type: 'earliest' } })
      expect(values(await drain(earliest, 5))).toEqual([0, 1, 2, 3, 4])
      await earliest.close()

      const atOffset = await log.consumer({
        topics: [spec.name],
        from: { type: 'offsets', offsets: [{ topic: spec.name, partition: 0, offset: 3 }] },
      })
      expect(values(await drain(atOffset, 2))).toEqual([3, 4])
      await atOffset.close()

      const atTime = await log.consumer({
        topics: [spec.name],
        from: { type: 'timestamp', timestamp: t0 + 1500 },
      })
      expect(values(await drain(atTime, 3))).toEqual([2, 3, 4])
      const ends = await atTime.endOffsets()
      expect(ends).toEqual([{ topic: spec.name, partition: 0, offset: 5 }])
      await atTime.close()
    })

    it('tells where topics end without a consumer, and a consumer started there reads what came after', async () => {
      const a = testTopic()
      const b = testTopic({ partitions: 1 })
      await log.createTopics([a, b])
      await log.produce(a.name, [{ key: 'x', value: json(0), partition: 1 }])
      const ends = await log.endOffsets([a.name, b.name])
      expect(ends).toEqual([
        { topic: a.name, partition: 0, offset: 0 },
        { topic: a.name, partition: 1, offset: 1 },
        { topic: a.name, partition: 2, offset: 0 },
        { topic: b.name, partition: 0, offset: 0 },
      ])
      await log.produce(a.name, [{ key: 'x', value: json(1), partition: 1 }])
      await log.produce(b.name, [{ key: 'y', value: json(2) }])
      const consumer = await log.consumer({ topics: [a.name, b.name], from: { type: 'offsets', offsets: ends } })
      expect((await drain(consumer, 2)).map(parse).sort()).toEqual([1, 2])
      await consumer.close()
      const error = await log.endOffsets(['contract.no-such-topic']).catch((e: unknown) => e)
      expect(isLogError(error) && error.code).toBe('RISKCTL_TOPIC_NOT_FOUND')
    })

    it('wakes a waiting consumer when another connection appends', async () => {
      const spec = testTopic({ partitions: 1 })
      await log.createTopics([spec])
      const consumer = await log.consumer({ topics: [spec.name], from: { type: 'latest' } })
      const other = await reopen()
      const waiting = consumer.poll({ maxWaitMs: 5000 })
      await new Promise((resolve) => setTimeout(resolve, 50))
      const sentAt = Date.now()
      await other.produce(spec.name, [{ key: 'k', value: json('hello') }])
      const batch = await waiting
      expect(batch.map(parse)).toEqual(['hello'])
      // Far below the 5 s the poll would otherwise wait.
      expect(Date.now() - sentAt).toBeLessThan(2500)
      await consumer.close()
    })

    it('resumes a consumer group from its committed positions after a restart', async () => {
      const spec = testTopic()
      await log.createTopics([spec])
      await log.produce(
        spec.name,
        Array.from({ length: 30 }, (_, seq) => ({ key: `k${seq % 6}`, value: json(seq) })),
      )
      const groupId = `${spec.name}.group`
      const first = await log.consumer({ topics: [spec.name], groupId, from: { type: 'earliest' } })
      const firstBatch = await drain(first, 30)
      expect(firstBatch).toHaveLength(30)
      await first.commit()
      await first.close()

      await log.produce(spec.name, [
        { key: 'k0', value: json(30) },
        { key: 'k1', value: json(31) },
      ])
      const restarted = await reopen()
      const second = await restarted.consumer({ topics: [spec.name], groupId, from: { type: 'earliest' } })
      const resumed = await drain(second, 2)
      expect(resumed.map(parse).sort()).toEqual([30, 31])
      // Read but not committed: a restart sees these again (at-least-once, never lost).
      await second.close()
      const third = await (
        await reopen()
      ).consumer({ topics: [spec.name], groupId, from: { type: 'latest' } })
      expect((await drain(third, 2)).map(parse).sort()).toEqual([30, 31])
      await third.commit()
      await third.close()
    })

    it('commits explicit positions', async () => {
      const spec = testTopic({ partitions: 1 })
      await log.createTopics([spec])
      await log.produce(
        spec.name,
        [0, 1, 2, 3].map((i) => ({ key: 'k', value: json(i) })),
      )
      const groupId = `${spec.name}.group`
      const first = await log.consumer({ topics: [spec.name], groupId, from: { type: 'earliest' } })
      await drain(first, 4)
      await first.commit([{ topic: spec.name, partition: 0, offset: 2 }])
      await first.close()
      const second = await (await reopen()).consumer({ topics: [spec.name], groupId })
      expect((await drain(second, 2)).map(parse)).toEqual([2, 3])
      await second.close()
    })

    it("commits a group's positions with the records of a write, and reports them without joining it", async () => {
      const input = testTopic()
      const output = testTopic()
      await log.createTopics([input, output])
      const groupId = `${input.name}.progress`
      expect(await log.committedOffsets(groupId, input.name)).toEqual([])
      await log.write([{ topic: output.name, records: [{ key: 'k', value: json(1) }] }], {
        groupId,
        offsets: [
          { topic: input.name, partition: 0, offset: 5 },
          { topic: input.name, partition: 2, offset: 7 },
        ],
      })
      // Another connection, as the next Lambda invocation would be: both the record and the positions.
      const other = await reopen()
      const positions = await eventually(async () => {
        const committed = await other.committedOffsets(groupId, input.name)
        expect(committed).toHaveLength(2)
        return committed
      })
      expect([...positions].sort((a, b) => a.partition - b.partition)).toEqual([
        { topic: input.name, partition: 0, offset: 5 },
        { topic: input.name, partition: 2, offset: 7 },
      ])
      const reader = await other.consumer({ topics: [output.name], from: { type: 'earliest' } })
      expect((await drain(reader, 1)).map(parse)).toEqual([1])
      await reader.close()
      // The group's consumers resume from there.
      await log.produce(
        input.name,
        Array.from({ length: 8 }, (_, i) => ({ key: null, value: json(i), partition: 0 })),
      )
      const resumed = await other.consumer({ topics: [input.name], groupId, from: { type: 'earliest' } })
      expect((await drain(resumed, 3)).map(parse)).toEqual([5, 6, 7])
      await resumed.close()
    })

    it('compacts a compacted topic: newest record per key, gaps in offsets, tombstones remove keys', async () => {
      const spec = testTopic({
        partitions: 1,
        cleanupPolicy: 'compact',
        configs: {
          'cleanup.policy': 'compact',
          'min.cleanable.dirty.ratio': '0.01',
          'segment.ms': '100',
          'delete.retention.ms': '100',
        },
      })
      await log.createTopics([spec])
      await log.produce(spec.name, [
        { key: 'ACCOUNT:1', value: json('KILLED') },
        { key: 'ACCOUNT:2', value: json('KILLED') },
        { key: 'ACCOUNT:1', value: json('ACTIVE') },
        { key: 'ACCOUNT:3', value: json('KILLED') },
        { key: 'ACCOUNT:3', value: null },
      ])
      const view = await log.readCompacted(spec.name)
      expect([...view.records.keys()].sort()).toEqual(['ACCOUNT:1', 'ACCOUNT:2'])
      expect(parse(view.records.get('ACCOUNT:1')!)).toBe('ACTIVE')
      expect(view.endOffsets).toEqual([{ topic: spec.name, partition: 0, offset: 5 }])

      await new Promise((resolve) => setTimeout(resolve, 250))
      // A later append rolls the segment that holds the records above, as on a broker.
      await log.produce(spec.name, [{ key: 'ACCOUNT:2', value: json('ACTIVE') }])
      const described = await eventually(
        async () => {
          const description = await log.describeTopic(spec.name)
          expect(description.records).toBeLessThanOrEqual(4)
          return description
        },
        60_000,
        250,
      )
      expect(described.partitions[0]!.endOffset).toBe(6)

      const consumer = await log.consumer({ topics: [spec.name], from: { type: 'earliest' } })
      const survivors = await drain(consumer, described.records, 5000)
      await consumer.close()
      expect(survivors.some((r) => r.key === 'ACCOUNT:1' && r.offset === 2)).toBe(true)
      // Superseded within the cleaned part of the log: ACCOUNT:1's KILLED and ACCOUNT:3's KILLED.
      expect(survivors.every((r) => r.offset !== 0 && r.offset !== 3)).toBe(true)
      expect(parse(survivors.find((r) => r.key === 'ACCOUNT:1')!)).toBe('ACTIVE')
      expect((await log.readCompacted(spec.name)).records.size).toBe(2)
    })

    it('describes partitions, offsets, record counts and configs with their source', async () => {
      const spec = testTopic({ configs: { 'cleanup.policy': 'delete', 'retention.ms': '86400000' } })
      await log.createTopics([spec])
      await log.produce(
        spec.name,
        Array.from({ length: 9 }, (_, i) => ({ key: `k${i % 3}`, value: json(i) })),
      )
      const description = await log.describeTopic(spec.name)
      expect(description.name).toBe(spec.name)
      expect(description.partitions).toHaveLength(3)
      expect(description.records).toBe(9)
      expect(description.distinctKeys).toBe(3)
      expect(description.partitions.reduce((sum, p) => sum + p.endOffset - p.startOffset, 0)).toBe(9)
      const config = (key: string) => description.configs.find((c) => c.name === key)
      expect(config('retention.ms')).toEqual({
        name: 'retention.ms',
        value: '86400000',
        source: 'TOPIC_CONFIG',
      })
      expect(config('cleanup.policy')?.value).toBe('delete')
      expect(config('min.cleanable.dirty.ratio')?.source).not.toBe('TOPIC_CONFIG')
      const missing = await log.describeTopic('contract.no-such-topic').catch((e: unknown) => e)
      expect(isLogError(missing) && missing.code).toBe('RISKCTL_TOPIC_NOT_FOUND')
    })

    it('takes appends from two writer processes at once without losing or reordering any', async () => {
      const spec = testTopic()
      await log.createTopics([spec])
      const perWriter = 1500
      const writers = [
        startWriter(target, spec.name, 'a', perWriter, 1),
        startWriter(target, spec.name, 'b', perWriter, 25),
      ]
      const results = await Promise.all(writers)
      for (const result of results) {
        expect(result.stderr).toBe('')
        expect(result.exitCode).toBe(0)
      }
      const consumer = await log.consumer({ topics: [spec.name], from: { type: 'earliest' } })
      const read = await drain(consumer, perWriter * 2, 20_000)
      await consumer.close()
      expect(read).toHaveLength(perWriter * 2)
      for (const writer of ['a', 'b']) {
        for (let k = 0; k < 5; k += 1) {
          const seqs = read
            .filter((r) => r.key === `${writer}-k${k}`)
            .map((r) => (parse(r) as { seq: number }).seq)
          expect(seqs).toHaveLength(perWriter / 5)
          expect(seqs).toEqual([...seqs].sort((x, y) => x - y))
        }
      }
      const ids = new Set(read.map((r) => `${r.partition}:${r.offset}`))
      expect(ids.size).toBe(perWriter * 2)
    })

    it('keeps every acknowledged record when the writer is killed with SIGKILL', async () => {
      const spec = testTopic()
      await log.createTopics([spec])
      const writer = startWriter(target, spec.name, 'k', 1_000_000, 20)
      const acknowledged: { partition: number; offset: number }[] = []
      await new Promise<void>((resolve) => {
        writer.stdout.on('data', (chunk: Buffer) => {
          for (const line of chunk.toString().split('\n')) {
            if (!line.startsWith('[')) continue
            // A line cut in half by the kill is simply not counted.
            try {
              acknowledged.push(...(JSON.parse(line) as { partition: number; offset: number }[]))
            } catch {
              continue
            }
          }
          if (acknowledged.length >= 2000) resolve()
        })
      })
      writer.kill('SIGKILL')
      await writer
      const ends = await (await reopen()).describeTopic(spec.name)
      const consumer = await (await reopen()).consumer({ topics: [spec.name], from: { type: 'earliest' } })
      const total = ends.partitions.reduce((sum, p) => sum + p.endOffset, 0)
      const read = await drain(consumer, total, 20_000)
      await consumer.close()
      const present = new Set(read.map((r) => `${r.partition}:${r.offset}`))
      const lost = acknowledged.filter((m) => !present.has(`${m.partition}:${m.offset}`))
      expect(acknowledged.length).toBeGreaterThanOrEqual(2000)
      expect(lost).toEqual([])
    })
  })
}

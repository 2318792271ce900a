import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { LogCleaner } from '../../src/log/embedded/cleaner.js'
import { APPEND_TIME, BatchCursor, encodeBatch, encodedSize, type EncodableRecord } from '../../src/log/embedded/record-batch.js'
import { LogStore } from '../../src/log/embedded/store.js'
import type { TopicRow } from '../../src/log/embedded/topic-catalogue.js'
import type { ProduceRecord } from '../../src/log/port.js'
import type { TopicSpec } from '../../topologies/topics.js'
import { testTopic } from './support.js'

/**
 * The embedded log keeps each append's records as one batch per partition (split past 1,000 records). These tests
 * hold the batches to what one row per record gave: every read, seek, count, compaction and retention pass agrees
 * with a plain list of records, whatever the batch boundaries.
 */
const dirs: string[] = []
afterAll(() => {
  for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true })
})

function openStore(): LogStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-batches-'))
  dirs.push(dir)
  return LogStore.open(path.join(dir, 'log.db'))
}

interface ModelRecord {
  readonly offset: number
  readonly timestamp: number
  readonly key: string | null
  readonly value: string | null
  readonly headers: Record<string, string>
}

/** One partition as a list: what the batches must be indistinguishable from. */
class PartitionModel {
  records: ModelRecord[] = []
  next = 0
  cleaned = 0
  readonly seconds = new Map<number, number>()

  append(records: readonly ProduceRecord[]): void {
    for (const record of records) {
      const offset = this.next++
      const timestamp = record.timestamp!
      const second = Math.floor(timestamp / 1000)
      if (!this.seconds.has(second)) this.seconds.set(second, offset)
      this.records.push({
        offset,
        timestamp,
        key: record.key,
        value: record.value === null ? null : record.value.toString('utf8'),
        headers: { ...record.headers },
      })
    }
  }

  fetch(from: number, limit: number): ModelRecord[] {
    return this.records.filter((r) => r.offset >= from).slice(0, limit)
  }

  offsetForTimestamp(timestamp: number): number {
    const candidates = [...this.seconds].filter(([second]) => second >= Math.floor(timestamp / 1000)).map(([, offset]) => offset)
    if (candidates.length === 0) return this.next
    const from = Math.min(...candidates)
    return this.records.find((r) => r.offset >= from && r.timestamp >= timestamp)?.offset ?? this.next
  }

  compact(now: number, configs: { segmentMs: number; ratio: number; tombstoneMs: number }): void {
    const settled = this.records.filter((r) => r.timestamp <= now - configs.segmentMs).at(-1)
    if (settled === undefined) return
    const head = settled.offset + 1
    const total = this.records.filter((r) => r.offset < head).length
    const dirty = this.records.filter((r) => r.offset < head && r.offset >= this.cleaned).length
    if (total === 0 || dirty === 0 || dirty / total < configs.ratio) return
    const newest = new Map<string | null, number>()
    for (const r of this.records) newest.set(r.key, r.offset)
    this.records = this.records.filter(
      (r) =>
        r.offset >= head ||
        (newest.get(r.key) === r.offset && !(r.value === null && r.timestamp < now - configs.tombstoneMs)),
    )
    this.cleaned = head
  }

  expire(now: number, retentionMs: number): void {
    const cutoff = Math.floor((now - retentionMs) / 1000)
    const kept = [...this.seconds].filter(([second]) => second >= cutoff).map(([, offset]) => offset)
    const keepFrom = kept.length === 0 ? this.next : Math.min(...kept)
    this.records = this.records.filter((r) => r.offset >= keepFrom)
    for (const second of [...this.seconds.keys()]) if (second < cutoff) this.seconds.delete(second)
  }
}

function read(store: LogStore, topic: TopicRow, from: number, limit: number): ModelRecord[] {
  return store.reader.fetch(topic, 0, from, limit).map((r) => ({
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key,
    value: r.value === null ? null : r.value.toString('utf8'),
    headers: { ...r.headers },
  }))
}

const BASE = 1_780_000_000_000

const produceRecord = (compacted: boolean) =>
  fc.record({
    key: compacted ? fc.constantFrom('ACCOUNT:1', 'ACCOUNT:2', 'SYMBOL:ÉTÉ', 'k') : fc.option(fc.constantFrom('a', 'b', 'ключ'), { nil: null }),
    value: fc.option(fc.string({ maxLength: 40, unit: 'grapheme' }), { nil: null, freq: 6 }),
    // Out of order within and across appends, as CreateTime stamps may be.
    offsetMs: fc.integer({ min: 0, max: 20_000 }),
    headers: fc.option(fc.dictionary(fc.constantFrom('trace', 'x-ü'), fc.string({ maxLength: 8 }), { maxKeys: 2 }), { nil: undefined, freq: 4 }),
  })

type Step =
  | { readonly type: 'append'; readonly records: readonly { key: string | null; value: string | null; offsetMs: number; headers?: Record<string, string> | undefined }[]; readonly repeat: number }
  | { readonly type: 'clean'; readonly atMs: number }

const steps = (compacted: boolean) =>
  fc.array(
    fc.oneof(
      { weight: 4, arbitrary: fc.record({ type: fc.constant('append' as const), records: fc.array(produceRecord(compacted), { minLength: 1, maxLength: 30 }), repeat: fc.constantFrom(1, 1, 1, 90) }) },
      { weight: 2, arbitrary: fc.record({ type: fc.constant('clean' as const), atMs: fc.integer({ min: 0, max: 40_000 }) }) },
    ),
    { minLength: 1, maxLength: 12 },
  )

function toProduce(step: Extract<Step, { type: 'append' }>): ProduceRecord[] {
  const once = step.records.map((r) => ({
    key: r.key,
    value: r.value === null ? null : Buffer.from(r.value),
    timestamp: BASE + r.offsetMs,
    partition: 0,
    ...(r.headers === undefined ? {} : { headers: r.headers }),
  }))
  // An append of more than a thousand records is split over several batches.
  return Array.from({ length: step.repeat }, () => once).flat()
}

function expectSameLog(store: LogStore, topic: TopicRow, model: PartitionModel, probes: readonly number[]): void {
  expect(read(store, topic, 0, 1_000_000)).toEqual(model.records)
  for (const probe of probes) {
    const from = Math.floor(probe * (model.next + 1))
    const limit = 1 + Math.floor(probe * 1500)
    expect(read(store, topic, from, limit)).toEqual(model.fetch(from, limit))
    const timestamp = BASE + Math.floor(probe * 20_000)
    expect(store.reader.offsetForTimestamp(topic, 0, timestamp)).toBe(model.offsetForTimestamp(timestamp))
  }
  const stats = store.reader.partitionStats(topic)[0]!
  expect(stats.records).toBe(model.records.length)
  expect(stats.endOffset).toBe(model.next)
  expect(stats.startOffset).toBe(model.records[0]?.offset ?? model.next)
  expect(stats.distinctKeys).toBe(new Set(model.records.map((r) => r.key).filter((k) => k !== null)).size)
}

/**
 * Plays the plan on a new one-partition topic and on the model side by side, comparing after every step: an
 * append on both, a clean pass at its time on the log and `clean` on the model.
 */
function play(spec: TopicSpec, plan: readonly Step[], probes: readonly number[], clean: (model: PartitionModel, now: number) => void): void {
  const store = openStore()
  try {
    store.topics.create([spec])
    const topic = store.topics.get(spec.name)
    const cleaner = new LogCleaner(store.connection, store.reader)
    const model = new PartitionModel()
    for (const step of plan) {
      if (step.type === 'append') {
        const records = toProduce(step)
        store.write([{ topic: spec.name, records }])
        model.append(records)
      } else {
        cleaner.clean(topic, BASE + step.atMs)
        clean(model, BASE + step.atMs)
      }
      expectSameLog(store, topic, model, probes)
    }
  } finally {
    store.close()
  }
}

const probes = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 })

describe('embedded log: record batches', () => {
  it('reads, seeks and counts exactly as a list of records, across batch boundaries and retention', () => {
    fc.assert(
      fc.property(steps(false), probes, (plan, at) => {
        const spec = testTopic({ partitions: 1, configs: { 'cleanup.policy': 'delete', 'retention.ms': '10000' } })
        play(spec, plan, at, (model, now) => model.expire(now, 10_000))
      }),
      { numRuns: 40 },
    )
  })

  it('compacts exactly as a list of records: newest per key, tombstones after delete.retention.ms, the dirty ratio', () => {
    fc.assert(
      fc.property(steps(true), fc.constantFrom(0, 0.3, 0.5), probes, (plan, ratio, at) => {
        const configs = { segmentMs: 5000, ratio, tombstoneMs: 3000 }
        const spec = testTopic({
          partitions: 1,
          cleanupPolicy: 'compact',
          configs: {
            'cleanup.policy': 'compact',
            'segment.ms': String(configs.segmentMs),
            'min.cleanable.dirty.ratio': String(ratio),
            'delete.retention.ms': String(configs.tombstoneMs),
          },
        })
        play(spec, plan, at, (model, now) => model.compact(now, configs))
      }),
      { numRuns: 40 },
    )
  })

  it("stamps a LogAppendTime topic's records, and records without a time, with the time of their append", () => {
    const store = openStore()
    try {
      const logTime = testTopic({ partitions: 2, configs: { 'cleanup.policy': 'delete', 'message.timestamp.type': 'LogAppendTime' } })
      const createTime = testTopic({ partitions: 2, configs: { 'cleanup.policy': 'delete' } })
      store.topics.create([logTime, createTime])
      const appends: { before: number; after: number }[] = []
      for (let i = 0; i < 3; i += 1) {
        const before = Date.now()
        store.write([
          // The client's clock is a year off: on a LogAppendTime topic it does not count.
          { topic: logTime.name, records: Array.from({ length: 1500 }, (_, n) => ({ key: `k${n % 7}`, value: Buffer.from(`${i}`), timestamp: BASE - 3.15e10 })) },
          { topic: createTime.name, records: [{ key: 'a', value: Buffer.from('no time') }, { key: 'a', value: Buffer.from('given'), timestamp: BASE }] },
        ])
        appends.push({ before, after: Date.now() })
        while (Date.now() === appends.at(-1)!.after) {
          // The next append at a later millisecond, so the three are told apart by time.
        }
      }
      const topic = store.topics.get(logTime.name)
      for (const partition of [0, 1]) {
        const records = store.reader.fetch(topic, partition, 0, 10_000)
        for (const record of records) {
          const append = appends[Number(record.value!.toString())]!
          expect(record.timestamp).toBeGreaterThanOrEqual(append.before)
          expect(record.timestamp).toBeLessThanOrEqual(append.after)
        }
        // One time per append, across its batches (1,500 records make two on some partition).
        for (let i = 0; i < 3; i += 1) expect(new Set(records.filter((r) => r.value!.toString() === `${i}`).map((r) => r.timestamp)).size).toBe(1)
        const second = records.find((r) => r.value!.toString() === '1')!
        expect(store.reader.offsetForTimestamp(topic, partition, second.timestamp)).toBe(second.offset)
      }
      const mixed = store.reader.fetch(store.topics.get(createTime.name), 0, 0, 10).concat(store.reader.fetch(store.topics.get(createTime.name), 1, 0, 10))
      expect(mixed.filter((r) => r.value!.toString() === 'given').every((r) => r.timestamp === BASE)).toBe(true)
      const stamped = mixed.filter((r) => r.value!.toString() === 'no time')
      expect(stamped).toHaveLength(3)
      stamped.forEach((r, i) => expect(r.timestamp).toBeGreaterThanOrEqual(appends[i]!.before))
    } finally {
      store.close()
    }
  })

  it('encodes and decodes any record: unicode keys, null and empty values, headers, far timestamps, the append time', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            gap: fc.integer({ min: 1, max: 1000 }),
            timestamp: fc.oneof(fc.integer({ min: 0, max: 8.64e15 }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constant(APPEND_TIME)),
            key: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: null }),
            value: fc.option(fc.uint8Array({ maxLength: 64 }), { nil: null }),
            headers: fc.option(fc.string({ unit: 'binary', maxLength: 20 }), { nil: null }),
          }),
          { minLength: 1, maxLength: 40 },
        ),
        fc.integer({ min: 0, max: 2 ** 40 }),
        fc.integer({ min: 0, max: 8.64e15 }),
        (parts, base, appendTs) => {
          let offset = base
          const records: EncodableRecord[] = parts.map((p) => ({
            offset: (offset += p.gap),
            timestamp: p.timestamp,
            key: p.key,
            value: p.value === null ? null : Buffer.from(p.value),
            headers: p.headers,
          }))
          const bytes = records.reduce((sum, r) => sum + encodedSize(r.key, r.value, r.headers), 0)
          const cursor = new BatchCursor(records[0]!.offset, appendTs, encodeBatch(records, bytes))
          for (const record of records) {
            expect(cursor.next()).toBe(true)
            expect(cursor.offset).toBe(record.offset)
            // A record stamped by the log takes the time its append was given under the write lock.
            expect(Object.is(cursor.timestamp, Number.isNaN(record.timestamp) ? appendTs : record.timestamp)).toBe(true)
            // Text keys go through UTF-8: a lone surrogate comes back as U+FFFD, as it would from SQLite's TEXT.
            expect(cursor.readKey()).toBe(record.key === null ? null : Buffer.from(record.key as string).toString('utf8'))
            expect(cursor.readValue()).toEqual(record.value)
            expect(cursor.isTombstone()).toBe(record.value === null)
          }
          expect(cursor.next()).toBe(false)
        },
      ),
      { numRuns: 200 },
    )
  })
})

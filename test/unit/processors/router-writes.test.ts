import { describe, expect, it } from 'vitest'
import type { GroupCommit, LogRecord, TopicPartitionOffset } from '../../../src/log/port.js'
import type { Outputs, TopicWriter } from '../../../src/processors/log-access.js'
import type { RoutedBatch } from '../../../src/processors/router-step.js'
import { RouterWrites, type DecidedBatch } from '../../../src/processors/router-writes.js'
import { TentativeIds } from '../../../src/processors/tentative-ids.js'
import { AUDIT, DEAD_LETTERS, ORDERS, ORDERS_GATED } from '../../../topologies/topics.js'

type Output = typeof AUDIT | typeof ORDERS_GATED | typeof DEAD_LETTERS

/** A writer whose writes the test completes or fails, one at a time. */
function heldWriter() {
  const calls: { outputs: Outputs<Output>; commit: GroupCommit | undefined; settle: (error?: Error) => void }[] = []
  const writer: TopicWriter<Output> = {
    topics: [AUDIT, ORDERS_GATED, DEAD_LETTERS],
    prepare: async () => undefined,
    write: (outputs, commit) =>
      new Promise((resolve, reject) => {
        calls.push({ outputs, commit, settle: (error) => (error ? reject(error) : resolve([])) })
      }),
  }
  return { writer, calls }
}

const at = (offset: number): TopicPartitionOffset[] => [{ topic: ORDERS, partition: 0, offset }]
const record = (offset: number): LogRecord => ({ topic: ORDERS, partition: 0, offset, key: 'k', value: null, timestamp: 0, headers: {} })
const routed = (name: string): RoutedBatch => ({
  audits: [{ key: name, value: Buffer.from(name) }],
  gated: [],
  deadLetters: [],
  signals: [],
  creditWarnings: [],
  auditValues: undefined,
  allowed: 1,
  dropped: 0,
  duplicates: 0,
})
const tick = () => new Promise((resolve) => setImmediate(resolve))

describe('RouterWrites', () => {
  it('writes one batch at a time, the next taking all decided meanwhile, with the positions past the last', async () => {
    // Given a router that decided a, then b and c while a was being written.
    const { writer, calls } = heldWriter()
    const ids = new TentativeIds(100)
    let position = 0
    const durable: string[] = []
    const writes = new RouterWrites(writer, ids, () => at(position), (b: DecidedBatch) => durable.push(String(b.routed.audits[0]!.key)))
    const decide = (name: string, from: number, to: number) => {
      ids.add(name)
      position = to
      writes.add({ routed: routed(name), orders: to - from, before: at(from), after: at(to), ids: 1, steps: 0 })
    }
    decide('a', 0, 1)
    decide('b', 1, 3)
    decide('c', 3, 4)
    expect(calls).toHaveLength(1)
    expect(writes.waiting).toBe(3)
    // When the first write commits, the second carries b and c and commits the positions past c.
    calls[0]!.settle()
    await tick()
    expect(durable).toEqual(['a'])
    expect(ids.pending).toBe(2)
    expect(calls).toHaveLength(2)
    expect(calls[1]!.outputs[AUDIT]!.map((r) => r.key)).toEqual(['b', 'c'])
    expect(calls[1]!.commit?.offsets).toEqual(at(4))
    calls[1]!.settle()
    await writes.drain()
    expect(durable).toEqual(['a', 'b', 'c'])
    expect(ids.pending).toBe(0)
  })

  it('drops every decision not yet durable when a write fails, and says whether the consumer went back', async () => {
    const { writer, calls } = heldWriter()
    const ids = new TentativeIds(100)
    let position = 0
    const writes = new RouterWrites(writer, ids, () => at(position), () => undefined)
    ids.add('a')
    position = 2
    writes.add({ routed: routed('a'), orders: 2, before: at(0), after: at(2), ids: 1, steps: 0 })
    ids.add('b')
    position = 3
    writes.add({ routed: routed('b'), orders: 1, before: at(2), after: at(3), ids: 1, steps: 0 })
    const epoch = writes.epoch
    expect(writes.isCurrent([record(2)], epoch)).toBe(true)
    // When the write of a fails and the consumer goes back to the last commit (0)…
    position = 0
    calls[0]!.settle(new Error('rebalanced'))
    await writes.drain()
    // …then neither a nor b is remembered or written, a batch polled before the failure is no longer current,
    // and the failure is reported once, with the consumer back before a.
    expect(ids.has('a') || ids.has('b')).toBe(false)
    expect(calls).toHaveLength(1)
    expect(writes.waiting).toBe(0)
    expect(writes.isCurrent([record(2)], epoch)).toBe(false)
    expect(writes.takeFailure()).toEqual({ error: new Error('rebalanced'), rewound: true })
    expect(writes.takeFailure()).toBeUndefined()
    // Decisions made from where the consumer went back are written as usual.
    position = 1
    writes.add({ routed: routed('a'), orders: 1, before: at(0), after: at(1), ids: 0, steps: 0 })
    expect(calls).toHaveLength(2)
    calls[1]!.settle()
    await writes.close()
  })

  it('takes a batch for stale when the consumer stands at or before any of its records, in any partition', () => {
    const { writer } = heldWriter()
    let positions: TopicPartitionOffset[] = []
    const writes = new RouterWrites(writer, new TentativeIds(10), () => positions, () => undefined)
    const on = (partition: number, offset: number): LogRecord => ({ ...record(offset), partition })
    // Partition 0's records in two runs, as a fetch buffer may hand them out between another partition's.
    const batch = [on(0, 5), on(0, 6), on(1, 40), on(0, 7), on(0, 8), on(1, 41)]
    positions = [
      { topic: ORDERS, partition: 0, offset: 9 },
      { topic: ORDERS, partition: 1, offset: 42 },
    ]
    expect(writes.isCurrent(batch, writes.epoch)).toBe(true)
    // Back to a commit between two records of one run, at the first record of a later run, or at the last record.
    for (const [partition, offset] of [[0, 6], [0, 7], [1, 41], [0, 8]] as const) {
      positions = [
        { topic: ORDERS, partition: 0, offset: partition === 0 ? offset : 9 },
        { topic: ORDERS, partition: 1, offset: partition === 1 ? offset : 42 },
      ]
      expect(writes.isCurrent(batch, writes.epoch), `${partition}:${offset}`).toBe(false)
    }
    // A partition no longer held does not count: the group refuses its commit.
    positions = [{ topic: ORDERS, partition: 1, offset: 42 }]
    expect(writes.isCurrent(batch, writes.epoch)).toBe(true)
  })

  it('takes a batch polled before a failed write for stale, even while the consumer has no position to tell', async () => {
    // Given a write in flight and a batch polled meanwhile, at the epoch before the failure.
    const { writer, calls } = heldWriter()
    const ids = new TentativeIds(10)
    let positions: TopicPartitionOffset[] = at(1)
    const writes = new RouterWrites(writer, ids, () => positions, () => undefined)
    writes.add({ routed: routed('a'), orders: 1, before: at(0), after: at(1), ids: 0, steps: 0 })
    const epoch = writes.epoch
    const polled = [record(1), record(2)]
    // When the write fails and the consumer, going back to its last commit, does not know its positions yet
    // (a rebalance or a rewind settling: the partition is held, but positions() cannot name it)…
    positions = []
    calls[0]!.settle(new Error('rebalanced'))
    await writes.drain()
    // …then the batch polled before is not decided: its records come again once the consumer has settled.
    expect(writes.isCurrent(polled, epoch)).toBe(false)
    // One polled after the failure is judged by the positions, as before.
    positions = at(3)
    expect(writes.isCurrent(polled, writes.epoch)).toBe(true)
  })

  it('starts no write once closed, and waits for the one under way', async () => {
    const { writer, calls } = heldWriter()
    const writes = new RouterWrites(writer, new TentativeIds(10), () => at(2), () => undefined)
    writes.add({ routed: routed('a'), orders: 1, before: at(0), after: at(1), ids: 0, steps: 0 })
    writes.add({ routed: routed('b'), orders: 1, before: at(1), after: at(2), ids: 0, steps: 0 })
    let closed = false
    const closing = writes.close().then(() => (closed = true))
    await tick()
    expect(closed).toBe(false)
    calls[0]!.settle()
    await closing
    expect(calls).toHaveLength(1)
  })
})

import { describe, expect, it } from 'vitest'
import type { GroupCommit, LogRecord, TopicPartitionOffset } from '../../src/log/port.js'
import type { LogReader, TopicWriter } from '../../src/processors/log-access.js'
import { openDelivery, withinBudget } from '../../src/lambda/delivery.js'

const TOPIC = 'orders.v1'
const record = (partition: number, offset: number): LogRecord => ({
  topic: TOPIC,
  partition,
  offset,
  key: null,
  value: Buffer.from('{}'),
  timestamp: 0,
  headers: {},
})

/** A progress group's positions, and what the delivery registers before reading them. */
function progressLog(progress: TopicPartitionOffset[]) {
  const prepared: GroupCommit[] = []
  const reader = { committedOffsets: async () => progress } as unknown as LogReader
  const writer = { prepare: async (commit: GroupCommit) => void prepared.push(commit) } as unknown as TopicWriter<string>
  return { reader, writer, prepared }
}

describe('one delivered batch on Lambda', () => {
  it('decides only what lies past the progress group, and never commits behind it', async () => {
    // Given progress past the delivery on partition 0 and in its middle on partition 1
    const { reader, writer, prepared } = progressLog([
      { topic: TOPIC, partition: 0, offset: 50 },
      { topic: TOPIC, partition: 1, offset: 11 },
    ])
    const records = [record(0, 10), record(0, 11), record(1, 10), record(1, 11), record(1, 12), record(2, 0)]
    const delivery = await openDelivery(reader, writer, 'progress', TOPIC, records)
    expect(delivery.fresh.map((r) => `${r.partition}:${r.offset}`)).toEqual(['1:11', '1:12', '2:0'])
    expect(delivery.redelivered.map((r) => `${r.partition}:${r.offset}`)).toEqual(['0:10', '0:11', '1:10'])
    expect(delivery.commit.offsets.map((p) => `${p.partition}:${p.offset}`)).toEqual(['0:50', '1:13', '2:1'])
    // Every attempt registers the same partitions, from their first delivered offsets: one transactional id.
    expect(prepared[0]!.offsets.map((p) => `${p.partition}:${p.offset}`)).toEqual(['0:10', '1:10', '2:0'])
  })

  it('past its deadline writes nothing and says so, and the work is waited for, not left running', async () => {
    let wrote = false
    let settled = false
    const slow = withinBudget(20, 'Deciding 1 record', async (beforeWrite) => {
      await new Promise((resolve) => setTimeout(resolve, 60))
      try {
        beforeWrite()
        wrote = true
      } finally {
        settled = true
      }
    })
    await expect(slow).rejects.toThrow(/did not finish within 20 ms; nothing was written/)
    expect({ wrote, settled }).toEqual({ wrote: false, settled: true })
    expect(await withinBudget(10_000, 'quick', async (beforeWrite) => (beforeWrite(), 'written'))).toBe('written')
  })
})

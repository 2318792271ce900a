import { describe, expect, it } from 'vitest'
import type { LogRecord } from '../../../src/log/port.js'
import { TimeMerge } from '../../../src/processors/time-merge.js'

const rec = (partition: number, offset: number, timestamp: number): LogRecord => ({
  topic: 'orders.v1',
  partition,
  offset,
  key: null,
  value: null,
  timestamp,
  headers: {},
})
const at = (partition: number, offset: number) => ({ topic: 'orders.v1', partition, offset })
const ids = (records: readonly LogRecord[]) => records.map((r) => `${r.partition}:${r.offset}@${r.timestamp}`)

describe('TimeMerge', () => {
  it('holds a partition read ahead until the others have shown how far they are', () => {
    const merge = new TimeMerge([0, 1])
    // A backlog: a minute of partition 0 arrives before any of partition 1.
    merge.push([rec(0, 0, 1_000), rec(0, 1, 30_000), rec(0, 2, 60_000)])
    expect(merge.release()).toEqual([])
    merge.push([rec(1, 0, 2_000), rec(1, 1, 40_000)])
    expect(ids(merge.release())).toEqual(['0:0@1000', '1:0@2000', '0:1@30000', '1:1@40000'])
    expect(merge.buffered).toBe(1)
    expect(merge.commitPositions([at(0, 3), at(1, 2)])).toEqual([at(0, 2), at(1, 2)])
  })

  it('lets everything through once the silent partitions are known to be at their end', () => {
    const merge = new TimeMerge([0, 1, 2])
    merge.push([rec(2, 5, 9_000)])
    expect(merge.unknownPartitions()).toEqual([0, 1])
    merge.noteEnds([at(0, 4), at(1, 0), at(2, 6)], [at(0, 4), at(1, 0), at(2, 6)])
    expect(ids(merge.release())).toEqual(['2:5@9000'])
    expect(merge.isCaughtUp).toBe(false)
    merge.noteEnds([at(0, 4), at(1, 0), at(2, 6)], [at(0, 4), at(1, 0), at(2, 6)])
    expect(merge.isCaughtUp).toBe(true)
  })

  it('keeps each partition in offset order when times tie or step back', () => {
    const merge = new TimeMerge([0])
    merge.push([rec(0, 0, 5), rec(0, 1, 5), rec(0, 2, 4)])
    expect(ids(merge.release())).toEqual(['0:0@5', '0:1@5', '0:2@4'])
  })

  it('does not call a partition caught up while it still holds records', () => {
    const merge = new TimeMerge([0, 1])
    merge.push([rec(0, 0, 10)])
    merge.noteEnds([at(0, 1), at(1, 3)], [at(0, 1), at(1, 5)])
    expect(merge.release()).toEqual([])
    expect(merge.unknownPartitions()).toEqual([1])
  })
})

import { describe, expect, it } from 'vitest'
import { RecentIds } from '../../../src/domain/recent-ids.js'

describe('RecentIds', () => {
  it('remembers ids and reports a second add as already seen', () => {
    const ids = new RecentIds(10)
    expect(ids.add('a')).toBe(true)
    expect(ids.add('a')).toBe(false)
    expect(ids.has('a')).toBe(true)
    expect(ids.has('b')).toBe(false)
    expect(ids.size).toBe(1)
  })

  it('never holds more than its capacity and forgets the oldest first', () => {
    const ids = new RecentIds(3)
    for (const id of ['a', 'b', 'c', 'd']) ids.add(id)
    expect(ids.size).toBe(3)
    expect(ids.has('a')).toBe(false)
    expect(['b', 'c', 'd'].every((id) => ids.has(id))).toBe(true)
    ids.add('e')
    expect(ids.has('b')).toBe(false)
    expect(ids.has('e')).toBe(true)
  })

  it('does not let a re-add refresh an id or evict another', () => {
    const ids = new RecentIds(2)
    ids.add('a')
    ids.add('b')
    expect(ids.add('a')).toBe(false)
    ids.add('c')
    expect(ids.has('a')).toBe(false)
    expect(ids.has('b')).toBe(true)
  })

  it('stays bounded over a long stream', () => {
    const ids = new RecentIds(1_000)
    for (let i = 0; i < 50_000; i++) ids.add(`order-${i}`)
    expect(ids.size).toBe(1_000)
    expect(ids.has('order-48999')).toBe(false)
    expect(ids.has('order-49000')).toBe(true)
    expect(ids.has('order-49999')).toBe(true)
  })

  it('defaults to a capacity of 100k and rejects a useless one', () => {
    expect(new RecentIds().capacity).toBe(100_000)
    expect(() => new RecentIds(0)).toThrow(RangeError)
  })
})

import { describe, expect, it } from 'vitest'
import { RingBuffer } from '../../../src/tui/ring-buffer.js'

describe('RingBuffer', () => {
  it('keeps the newest items up to its capacity, newest first', () => {
    const ring = new RingBuffer<number>(3)
    for (const n of [1, 2, 3, 4, 5]) ring.push(n)
    expect(ring.length).toBe(3)
    expect(ring.newestFirst()).toEqual([5, 4, 3])
    expect(ring.fromNewest(0)).toBe(5)
    expect(ring.fromNewest(2)).toBe(3)
    expect(ring.fromNewest(3)).toBeUndefined()
  })

  it('pages from the newest with a limit and a skip', () => {
    const ring = new RingBuffer<number>(10)
    for (let n = 0; n < 7; n += 1) ring.push(n)
    expect(ring.newestFirst(2)).toEqual([6, 5])
    expect(ring.newestFirst(3, 2)).toEqual([4, 3, 2])
    expect(ring.newestFirst(5, 5)).toEqual([1, 0])
  })

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError)
    expect(() => new RingBuffer(1.5)).toThrow(RangeError)
  })
})

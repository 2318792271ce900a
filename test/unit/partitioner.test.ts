import { describe, expect, it } from 'vitest'
import { murmur2, partitionForKey } from '../../src/log/partitioner.js'

describe('partitioner', () => {
  it("matches Kafka's murmur2 (its own test vectors)", () => {
    const vectors: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
      ['abc', 479470107],
    ]
    for (const [input, expected] of vectors) expect(murmur2(Buffer.from(input))).toBe(expected)
  })

  it('maps a key to the same partition in range every time', () => {
    for (const key of ['12345', '10001', 'ACCOUNT:12345', '']) {
      const partition = partitionForKey(key, 3)
      expect(partition).toBeGreaterThanOrEqual(0)
      expect(partition).toBeLessThan(3)
      expect(partitionForKey(key, 3)).toBe(partition)
    }
  })

  it('hashes a key as the UTF-8 bytes Kafka hashes, short or long, ASCII or not', () => {
    const keys = ['12345', 'ACCOUNT:ÅÄÖ', '株式-7203', '🚀'.repeat(10), 'k'.repeat(300), 'é'.repeat(400)]
    for (const key of keys) {
      const expected = (murmur2(Buffer.from(key, 'utf8')) & 0x7fffffff) % 7
      expect(partitionForKey(key, 7)).toBe(expected)
    }
    // A long key after a short one must not hash the short one's leftover bytes.
    const short = partitionForKey('ab', 1000)
    partitionForKey('x'.repeat(200), 1000)
    expect(partitionForKey('ab', 1000)).toBe(short)
  })
})

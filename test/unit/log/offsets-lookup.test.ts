import type { Admin } from 'kafkajs'
import { describe, expect, it } from 'vitest'
import { lookUpOffsets } from '../../../src/log/kafka/offsets-lookup.js'

/** Only what lookUpOffsets calls between tries: kafkajs itself cannot be made to fail this way on purpose. */
function admin(): { admin: Admin; refreshes: () => number } {
  let refreshes = 0
  const fake = {
    fetchTopicMetadata: () => {
      refreshes += 1
      return Promise.resolve({ topics: [] })
    },
  }
  return { admin: fake as unknown as Admin, refreshes: () => refreshes }
}

describe("kafkajs's offset lookups while a broker settles", () => {
  it('tries again, with fresh metadata, after the TypeError kafkajs throws on an empty answer', async () => {
    const { admin: a, refreshes } = admin()
    let calls = 0
    const offsets = await lookUpOffsets(a, () => {
      calls += 1
      if (calls < 3)
        return Promise.reject(
          new TypeError("Cannot destructure property 'partitions' of 'low.pop(...)' as it is undefined."),
        )
      return Promise.resolve([{ partition: 0, offset: '7' }])
    })
    expect(offsets).toEqual([{ partition: 0, offset: '7' }])
    expect(calls).toBe(3)
    expect(refreshes()).toBe(2)
  })

  it('lets any other error through at once, and the TypeError after five tries', async () => {
    const { admin: a } = admin()
    let calls = 0
    await expect(
      lookUpOffsets(a, () => ((calls += 1), Promise.reject(new Error('UNKNOWN_TOPIC_OR_PARTITION')))),
    ).rejects.toThrow('UNKNOWN_TOPIC')
    expect(calls).toBe(1)
    calls = 0
    await expect(
      lookUpOffsets(a, () => ((calls += 1), Promise.reject(new TypeError('still empty')))),
    ).rejects.toThrow('still empty')
    expect(calls).toBe(5)
  })
})

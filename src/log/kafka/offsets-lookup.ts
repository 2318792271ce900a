import type { Admin } from 'kafkajs'

/** How often a lookup is tried, and the pause before the first retry (doubled each time). */
const ATTEMPTS = 5
const FIRST_PAUSE_MS = 50

/**
 * kafkajs's offset lookups (fetchTopicOffsets, fetchTopicOffsetsByTimestamp) ask each partition's leader twice and
 * destructure both answers. While a fresh broker still settles its leaders, one answer can come back empty and the
 * lookup throws a TypeError ("Cannot destructure property 'partitions' of 'low.pop(...)'") rather than a Kafka error.
 * That is transient: the lookup is tried again, after the metadata is refreshed, a few times before it is let through.
 */
export async function lookUpOffsets<T>(admin: Admin, lookup: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await lookup()
    } catch (error) {
      if (!(error instanceof TypeError) || attempt >= ATTEMPTS) throw error
      await new Promise((resolve) => setTimeout(resolve, FIRST_PAUSE_MS * 2 ** (attempt - 1)))
      await admin.fetchTopicMetadata().catch(() => undefined)
    }
  }
}

/**
 * Kafka's default partitioner for keyed records: murmur2 of the key's UTF-8 bytes, made positive,
 * modulo the partition count. Using the same function as Kafka means a key lands on the same
 * partition number on the embedded log and on a broker, so examples and tests read alike.
 */
export function partitionForKey(key: string, partitions: number): number {
  // Keys are short: encoding them into one reused buffer spares an allocation per keyed record.
  if (key.length * 3 <= scratch.length) return toPositive(murmur2(scratch, scratch.write(key, 0, 'utf8'))) % partitions
  return toPositive(murmur2(Buffer.from(key, 'utf8'))) % partitions
}

/** UTF-8 needs at most 3 bytes per UTF-16 code unit. */
const scratch = Buffer.allocUnsafe(768)

function toPositive(value: number): number {
  return value & 0x7fffffff
}

const SEED = 0x9747b28c
const M = 0x5bd1e995
const R = 24

/** Kafka's murmur2 of the first `length` bytes of data. */
export function murmur2(data: Uint8Array, length = data.length): number {
  let h = SEED ^ length
  const fourBytes = length - (length % 4)
  for (let i = 0; i < fourBytes; i += 4) {
    let k = (data[i]! & 0xff) | ((data[i + 1]! & 0xff) << 8) | ((data[i + 2]! & 0xff) << 16) | ((data[i + 3]! & 0xff) << 24)
    k = Math.imul(k, M)
    k ^= k >>> R
    k = Math.imul(k, M)
    h = Math.imul(h, M)
    h ^= k
  }
  const remaining = length % 4
  if (remaining === 3) h ^= (data[fourBytes + 2]! & 0xff) << 16
  if (remaining >= 2) h ^= (data[fourBytes + 1]! & 0xff) << 8
  if (remaining >= 1) {
    h ^= data[fourBytes]! & 0xff
    h = Math.imul(h, M)
  }
  h ^= h >>> 13
  h = Math.imul(h, M)
  h ^= h >>> 15
  return h | 0
}

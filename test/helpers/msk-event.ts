import type { MskEvent, MskEventRecord } from '../../src/lambda/msk-event.js'
import type { LogRecord } from '../../src/log/port.js'

const CLUSTER_ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/riskctl/uuid'

/**
 * Records as an MSK event source mapping delivers them: grouped under "topic-partition" in offset
 * order, keys and values base64, header values as byte arrays.
 */
export function mskEventOf(records: readonly LogRecord[]): MskEvent {
  const grouped: Record<string, MskEventRecord[]> = {}
  const sorted = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset)
  for (const record of sorted) {
    const delivered: MskEventRecord = {
      topic: record.topic,
      partition: record.partition,
      offset: record.offset,
      timestamp: record.timestamp,
      // The mapping leaves out the key of a keyless record rather than sending null.
      ...(record.key === null ? {} : { key: Buffer.from(record.key).toString('base64') }),
      value: record.value === null ? null : record.value.toString('base64'),
      headers: Object.entries(record.headers).map(([name, value]) => ({ [name]: [...Buffer.from(value)] })),
    }
    ;(grouped[`${record.topic}-${record.partition}`] ??= []).push(delivered)
  }
  return { eventSource: 'aws:kafka', eventSourceArn: CLUSTER_ARN, records: grouped }
}

/** Values on partition 0 of one topic, numbered from `firstOffset`: a batch where no broker is involved. */
export function mskEvent(topic: string, values: readonly (string | object)[], firstOffset = 0): MskEvent {
  return mskEventOf(
    values.map((value, index) => ({
      topic,
      partition: 0,
      offset: firstOffset + index,
      timestamp: Date.now(),
      key: 'k',
      value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
      headers: { source: 'test' },
    })),
  )
}

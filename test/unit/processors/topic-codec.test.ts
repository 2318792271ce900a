import { describe, expect, it } from 'vitest'
import { deadLetter } from '../../../src/processors/topic-codec.js'
import type { LogRecord } from '../../../src/log/port.js'

describe('deadLetter', () => {
  const record: LogRecord = {
    topic: 'orders.v1',
    partition: 2,
    offset: 41,
    key: '12345',
    value: Buffer.from('{"order_id":'),
    timestamp: 1_700_000_000_000,
    headers: {},
  }

  it('is keyed by the source topic, as dlq.v1 is specified, and carries what failed and why', () => {
    const letter = deadLetter(record, 'not JSON', 1_700_000_000_500)
    expect(letter.key).toBe('orders.v1')
    expect(JSON.parse(letter.value!.toString())).toEqual({
      ts: 1_700_000_000_500,
      source_topic: 'orders.v1',
      offset: '2:41',
      raw: '{"order_id":',
      error: 'not JSON',
    })
  })
})

import { describe, expect, it } from 'vitest'
import { deadLetterSchema } from '../../../src/contracts/messages.js'
import { decodeJson, MAX_RECORD_BYTES } from '../../../src/contracts/decode.js'
import { orderSchema } from '../../../src/contracts/messages.js'
import type { LogRecord } from '../../../src/log/port.js'
import { deadLetter, decodeStateRecord, MAX_DEAD_LETTER_RAW_BYTES } from '../../../src/processors/topic-codec.js'

const T = Date.UTC(2026, 11, 4, 12)

function record(key: string | null, value: string | null, overrides: Partial<LogRecord> = {}): LogRecord {
  return {
    topic: 'killswitch.state.v1',
    partition: 1,
    offset: 7,
    key,
    value: value === null ? null : Buffer.from(value),
    timestamp: T,
    headers: {},
    ...overrides,
  }
}

describe('decodeStateRecord fails closed', () => {
  it('enforces a state whose scope and status can be read, whatever else it lacks', () => {
    const change = decodeStateRecord(record('ACCOUNT:1', JSON.stringify({ scope: 'account:1', status: 'killed' })))
    expect(change).toEqual({
      type: 'state',
      problem: expect.stringMatching(/^incomplete state record/),
      state: {
        scope: 'ACCOUNT:1',
        status: 'KILLED',
        updated_ts: T,
        updated_by: 'unknown',
        reason: 'state record without a reason',
        last_cmd_id: 'state-1:7',
        corr_id: 'state-1:7',
      },
    })
  })

  it('kills the scope its key names when the value cannot be read at all', () => {
    const change = decodeStateRecord(record('SYMBOL:TSLA', '{"scope": "SYMBOL:TSLA", "status": '))
    expect(change).toMatchObject({ type: 'state', state: { scope: 'SYMBOL:TSLA', status: 'KILLED' } })
    expect(change.type === 'state' && change.problem).toMatch(/^unreadable state record/)
  })

  it('calls a record that names no scope invalid, so it is dead-lettered and alerted on', () => {
    expect(decodeStateRecord(record('garbage', 'x'))).toEqual({ type: 'invalid', error: expect.stringMatching(/names no scope/) })
    expect(decodeStateRecord(record(null, null))).toEqual({ type: 'invalid', error: 'tombstone without a key' })
  })

  it('lets only the scope spelt as the aggregator writes it be deleted by a tombstone', () => {
    expect(decodeStateRecord(record('ACCOUNT:abc', null))).toEqual({ type: 'deleted', scope: 'ACCOUNT:abc' })
    expect(decodeStateRecord(record('account:ABC', null))).toEqual({ type: 'ignored' })
  })

  it('bounds the reason a router copies into every audit record', () => {
    const state = { scope: 'GLOBAL', status: 'KILLED', updated_ts: T, updated_by: 'a', reason: 'r'.repeat(5000), last_cmd_id: 'c', corr_id: 'c' }
    const change = decodeStateRecord(record('GLOBAL', JSON.stringify(state)))
    expect(change.type === 'state' && change.state.reason.length).toBe(1025)
  })
})

describe('bounded records', () => {
  it('refuses an order record over the bound before parsing it', () => {
    const huge = JSON.stringify({ order_id: 'o-1', memo: 'x'.repeat(1_200_000) })
    expect(decodeJson(orderSchema, huge)).toEqual({ ok: false, error: `record is ${huge.length} bytes; at most ${MAX_RECORD_BYTES} bytes are accepted` })
  })

  it('dead-letters a 1.2 MB record as its first 16 KiB, its size and the mark, valid UTF-8 and under 20 KiB', () => {
    const raw = `{"memo":"${'é'.repeat(600_000)}"}`
    const letter = deadLetter(record('k', raw, { topic: 'orders.v1' }), 'too large', T)
    const value = JSON.parse(letter.value!.toString('utf8')) as Record<string, unknown>
    expect(deadLetterSchema.parse(value)).toMatchObject({ raw_bytes: Buffer.byteLength(raw), raw_truncated: true, source_topic: 'orders.v1', offset: '1:7' })
    expect(Buffer.byteLength(String(value.raw))).toBeLessThanOrEqual(MAX_DEAD_LETTER_RAW_BYTES + 3)
    expect(letter.value!.length).toBeLessThan(20 * 1024 * 2)
    expect(letter.key).toBe('orders.v1')
  })

  it('keeps a small record whole, without the truncation fields', () => {
    const value = JSON.parse(deadLetter(record('k', 'not json'), 'not JSON', T).value!.toString()) as Record<string, unknown>
    expect(value).toEqual({ ts: T, source_topic: 'killswitch.state.v1', offset: '1:7', raw: 'not json', error: 'not JSON' })
  })
})

describe('a full disk', () => {
  it('is reported with the path of the log, as RISKCTL_DISK_FULL', async () => {
    const { translateSqliteError } = await import('../../../src/log/embedded/sqlite-errors.js')
    const full = Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' })
    const error = translateSqliteError(full, '/data/riskctl/log.db') as { code: string; message: string; exitCode: number; suggestions: string[] }
    expect(error).toMatchObject({ code: 'RISKCTL_DISK_FULL', exitCode: 5 })
    expect(error.message).toContain('/data/riskctl/log.db')
    expect(error.suggestions[0]).toContain('/data/riskctl')
  })
})

describe('a state record filed under a key that is not its scope', () => {
  const state = (scope: string, status: string) =>
    JSON.stringify({ scope, status, updated_ts: T, updated_by: 'a', reason: 'r', last_cmd_id: 'c', corr_id: 'c' })

  it('may tighten its scope from a key spelt otherwise, never restore it', () => {
    expect(decodeStateRecord(record('ACCOUNT:ACME', state('ACCOUNT:acme', 'KILLED')))).toMatchObject({
      type: 'state',
      state: { scope: 'ACCOUNT:acme', status: 'KILLED' },
      problem: expect.stringMatching(/under the key/),
    })
    expect(decodeStateRecord(record('ACCOUNT:ACME', state('ACCOUNT:acme', 'ACTIVE')))).toMatchObject({ type: 'invalid' })
    expect(decodeStateRecord(record('no-scope', state('ACCOUNT:acme', 'ACTIVE')))).toMatchObject({ type: 'invalid' })
  })

  it("kills the scope whose key it took: that scope's own state was replaced on the compacted topic", () => {
    expect(decodeStateRecord(record('ACCOUNT:victim', state('ACCOUNT:other', 'ACTIVE')))).toMatchObject({
      type: 'state',
      state: { scope: 'ACCOUNT:victim', status: 'KILLED' },
    })
  })

  it('reads no time past what a Date holds, and no unsafe integer, so a repair is always whole', () => {
    const far = decodeStateRecord(record('ACCOUNT:1', JSON.stringify({ scope: 'ACCOUNT:1', status: 'KILLED', updated_ts: 1e20 })))
    expect(far.type === 'state' && far.state.updated_ts).toBe(T)
    const late = decodeStateRecord(record('ACCOUNT:1', 'x', { timestamp: 9e15 }))
    expect(late.type === 'state' && late.state.updated_ts).toBe(8.64e15)
  })
})

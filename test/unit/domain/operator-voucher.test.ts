import { describe, expect, it } from 'vitest'
import {
  isVouched,
  needsVoucher,
  trailReadFrom,
  VOUCHER_LOOKBACK_MS,
  VOUCHER_MARGIN_MS,
  voucherRefusal,
  type Voucher,
} from '../../../src/domain/operator-voucher.js'

const NOW = Date.UTC(2026, 11, 7, 15, 0, 0)
const DIGEST = 'a'.repeat(64)
const unkill = {
  cmd_id: 'c-1',
  action: 'UNKILL',
  scope: 'ACCOUNT:1',
  triggered_by: 'operator',
  operator: 'sasl:alice',
}
const entryOf = (ts: number, extra: Partial<Voucher> = {}): Map<string, Voucher[]> =>
  new Map([
    [
      'c-1',
      [
        {
          ts,
          cmd_id: 'c-1',
          digest: DIGEST,
          actor: 'sasl:alice',
          action: 'UNKILL',
          scope: 'ACCOUNT:1',
          ...extra,
        },
      ],
    ],
  ])

describe('which commands need a voucher', () => {
  it('every command but a KILL, whatever source it names; not the aggregator REVERT of an expiry', () => {
    for (const action of ['UNKILL', 'THROTTLE', 'SET_LIMITS', 'REVERT_LIMITS', 'APPROVE', 'REJECT']) {
      for (const source of ['operator', 'detector', 'Operator', 'spark'])
        expect(needsVoucher({ action, triggered_by: source })).toBe(true)
    }
    expect(needsVoucher({ action: 'KILL', triggered_by: 'operator' })).toBe(false)
    expect(needsVoucher({ action: 'KILL', triggered_by: 'detector' })).toBe(false)
    expect(needsVoucher({ action: 'REVERT_LIMITS', triggered_by: 'aggregator' })).toBe(false)
  })
})

describe('voucherRefusal', () => {
  it('takes the entry of this very command (its digest and operator), recent on the aggregator clock', () => {
    expect(voucherRefusal(unkill, DIGEST, entryOf(NOW - 1000), {}, NOW)).toBeUndefined()
    expect(isVouched(unkill, DIGEST, entryOf(NOW - VOUCHER_LOOKBACK_MS), NOW)).toBe(true)
  })

  it('takes no entry of another command under the same cmd_id: another digest, another operator, none at all', () => {
    expect(isVouched(unkill, 'b'.repeat(64), entryOf(NOW), NOW)).toBe(false)
    expect(isVouched(unkill, DIGEST, entryOf(NOW, { actor: 'sasl:mallory' }), NOW)).toBe(false)
    expect(isVouched(unkill, DIGEST, entryOf(NOW, { digest: undefined }), NOW)).toBe(false)
  })

  it('refuses an entry older than the lookback, however it was read, and says how old', () => {
    const refusal = voucherRefusal(unkill, DIGEST, entryOf(NOW - VOUCHER_LOOKBACK_MS - 1), {}, NOW)
    expect(refusal).toContain(
      'its entry is from 2026-12-07T13:59:59.999Z, over 60 minutes before the aggregator',
    )
  })

  it('names what the trail had instead, or why it could not be read', () => {
    expect(voucherRefusal(unkill, DIGEST, entryOf(NOW, { actor: 'sasl:mallory' }), {}, NOW)).toContain(
      'its entries there are for other commands (UNKILL ACCOUNT:1 by sasl:mallory): the same cmd_id, not the same command',
    )
    expect(voucherRefusal(unkill, DIGEST, new Map(), { fromMs: NOW - 60_000 }, NOW)).toContain(
      'none was found from 2026-12-07T14:59:00.000Z on',
    )
    expect(voucherRefusal(unkill, DIGEST, new Map(), { problem: 'topic not found' }, NOW)).toContain(
      'the trail could not be read (topic not found)',
    )
    expect(voucherRefusal({ ...unkill, operator: undefined }, DIGEST, new Map(), {}, NOW)).toContain('by ?')
  })
})

describe('trailReadFrom', () => {
  it('reads from a margin before the earliest command, never earlier than the lookback, never later than now', () => {
    expect(trailReadFrom([], NOW)).toBeUndefined()
    expect(trailReadFrom([NOW - 5000, NOW - 1000], NOW)).toBe(NOW - 5000 - VOUCHER_MARGIN_MS)
    // A hostile time cannot make the aggregator read a year of trail.
    expect(trailReadFrom([0, Number.NaN], NOW)).toBe(NOW - VOUCHER_LOOKBACK_MS)
    // A clock ahead: from now, and its entry, stamped in the future, is still read.
    expect(trailReadFrom([NOW + 10 * VOUCHER_LOOKBACK_MS], NOW)).toBe(NOW)
  })
})

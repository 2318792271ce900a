import { describe, expect, it } from 'vitest'
import { findRequest } from '../../../src/processors/approval-request.js'
import type { ApprovalRecord } from '../../../src/domain/approval.js'
import { samePerson } from '../../../src/domain/approval.js'

const request = (id: string): ApprovalRecord =>
  ({
    request_id: id,
    scope: 'ACCOUNT:1',
    action: 'UNKILL',
    requested_by: 'sue',
    requested_ts: 1,
    expires_ts: 2,
    reason: 'x',
    corr_id: 'c',
    status: 'PENDING',
  }) as ApprovalRecord

describe('approval requests', () => {
  it('finds a request by its id or a prefix that names it alone; a short id that is also a prefix of another names neither', () => {
    const real = request('4e90c101-aaaa-bbbb-cccc-000000000000')
    expect(findRequest([real], '4e90c101')).toBe(real)
    expect(findRequest([real], '4E90C101-AAAA-BBBB-CCCC-000000000000')).toBe(real)
    // Someone wrote a request whose whole id is the short form of the real one's.
    expect(() => findRequest([real, request('4e90c101')], '4e90c101')).toThrow(
      expect.objectContaining({ code: 'RISKCTL_REQUEST_AMBIGUOUS', exitCode: 2 }),
    )
    expect(() => findRequest([real], '4e90c')).toThrow(
      expect.objectContaining({ code: 'RISKCTL_REQUEST_UNKNOWN', exitCode: 2 }),
    )
    expect(() => findRequest([real], 'ffffffff')).toThrow(
      expect.objectContaining({ code: 'RISKCTL_REQUEST_UNKNOWN' }),
    )
  })

  it('knows one person under each of their identities', () => {
    for (const [a, b] of [
      ['sue', 'local:sue'],
      ['SUE', 'sasl:sue'],
      ['local:Sue', 'unverified:sue'],
    ])
      expect(samePerson(a!, b!), `${a} ${b}`).toBe(true)
    expect(samePerson('sue', 'sue2')).toBe(false)
    expect(samePerson('local:sue', 'local:bob')).toBe(false)
  })
})

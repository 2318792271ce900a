import { describe, expect, it } from 'vitest'
import type { ApprovalCommand, ApprovalRecord } from '../../../../src/domain/approval.js'
import { APPROVALS, AUDIT, DEAD_LETTERS, KILL_STATE } from '../../../../topologies/topics.js'
import { TopologyTestDriver } from '../../../helpers/topology-test-driver.js'
import { aCommand } from './commands.js'

const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)
const MINUTE = 60_000
const FOUR_EYES = { unkill: true, timeoutMs: 15 * MINUTE }

let ids = 0
function answer(request: string, scope: string, action: ApprovalCommand['action'], operator: string, extra: Partial<ApprovalCommand> = {}): ApprovalCommand {
  ids += 1
  return { cmd_id: `a-${ids}`, ts: T0, action, request_id: request, scope, reason: 'checked', triggered_by: 'operator', operator, corr_id: 'ignored', ...extra }
}

function driver(): TopologyTestDriver {
  return new TopologyTestDriver({ startMs: T0, processors: ['aggregator'], fourEyes: FOUR_EYES })
}

function stateOf(d: TopologyTestDriver, scope: string): { status: string; corr_id: string; last_cmd_id: string } | undefined {
  const record = d.latest(KILL_STATE).get(scope)
  return record?.value ? JSON.parse(record.value.toString()) : undefined
}

function requestOf(d: TopologyTestDriver, id: string): ApprovalRecord | undefined {
  const record = d.latest(APPROVALS).get(id)
  return record?.value ? JSON.parse(record.value.toString()) : undefined
}

function decisions(d: TopologyTestDriver): string[] {
  return d.values(AUDIT).filter((a) => a.service === 'aggregator').map((a) => a.reason.split(':')[0]!)
}

describe('four-eyes unkill, driven command by command', () => {
  it('holds an UNKILL until a second person approves it, then applies it under the request\'s corr_id', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:1', 'KILL'))
    const unkill = aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1, operator: 'sue' })
    d.send(unkill)
    // Held: still KILLED, a PENDING request on the approvals topic, and the trail says so.
    expect(stateOf(d, 'ACCOUNT:1')?.status).toBe('KILLED')
    expect(requestOf(d, unkill.cmd_id)).toMatchObject({ status: 'PENDING', requested_by: 'sue', scope: 'ACCOUNT:1', expires_ts: T0 + 15 * MINUTE, corr_id: unkill.corr_id })
    // The asker cannot approve, under any identity of theirs.
    for (const self of ['sue', 'SUE', 'local:sue', 'sasl:Sue']) d.send(answer(unkill.cmd_id, 'ACCOUNT:1', 'APPROVE', self))
    expect(stateOf(d, 'ACCOUNT:1')?.status).toBe('KILLED')
    expect(d.values(DEAD_LETTERS).map((l) => l.error)).toEqual(Array(4).fill(expect.stringMatching(/may not approve it: a second person must/)))
    // Nor can anything that is not an operator, nor an answer naming another scope.
    d.send(answer(unkill.cmd_id, 'ACCOUNT:1', 'APPROVE', 'bob', { triggered_by: 'detector' }))
    d.send(answer(unkill.cmd_id, 'ACCOUNT:2', 'APPROVE', 'bob'))
    d.send(answer(unkill.cmd_id, 'ACCOUNT:1', 'APPROVE', 'root:bob'))
    expect(stateOf(d, 'ACCOUNT:1')?.status).toBe('KILLED')
    // A second person approves: applied, and the state carries the request's corr_id.
    d.send(answer(unkill.cmd_id, 'ACCOUNT:1', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:1')).toMatchObject({ status: 'ACTIVE', corr_id: unkill.corr_id, last_cmd_id: unkill.cmd_id })
    expect(requestOf(d, unkill.cmd_id)).toMatchObject({ status: 'APPROVED', decided_by: 'bob' })
    const trail = d.values(AUDIT).filter((a) => a.corr_id === unkill.corr_id).map((a) => a.reason.split(':')[0])
    // Every attempt on the request, refused or not, is on its thread.
    expect(trail).toEqual(['PENDING UNKILL ACCOUNT', ...Array(7).fill('REFUSED APPROVE ACCOUNT'), 'APPLIED APPROVE ACCOUNT', 'APPLIED UNKILL ACCOUNT'])
    // A second approval, or the same one replayed, changes nothing.
    d.send(answer(unkill.cmd_id, 'ACCOUNT:1', 'APPROVE', 'carol'))
    expect(decisions(d).at(-1)).toBe('DUPLICATE APPROVE ACCOUNT')
  })

  it('never lets an approval undo a KILL that came after the request, even one that found the scope KILLED already', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:2', 'KILL'))
    const unkill = aCommand('ACCOUNT:2', 'UNKILL', { ts: T0 + 1, operator: 'sue' })
    d.send(unkill)
    d.advance(1000)
    // A second KILL that leaves the state as it is (unless_already, as riskctl kill sends it) still cancels the request.
    d.send(aCommand('ACCOUNT:2', 'KILL', { ts: T0 + 1000, unless_already: true, reason: 'new incident' }))
    expect(requestOf(d, unkill.cmd_id)).toMatchObject({ status: 'CANCELLED', decision_reason: expect.stringContaining('new incident') })
    d.send(answer(unkill.cmd_id, 'ACCOUNT:2', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:2')?.status).toBe('KILLED')
    expect(decisions(d).at(-1)).toBe('DUPLICATE APPROVE ACCOUNT')
  })

  it('holds an UNKILL from a clock ahead at the aggregator\'s time, and refuses an approval once the state changed', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:7', 'KILL'))
    const ahead = aCommand('ACCOUNT:7', 'UNKILL', { ts: T0 + 4 * MINUTE, operator: 'sue' })
    d.send(ahead)
    expect(requestOf(d, ahead.cmd_id)?.command.ts).toBe(T0)
    // Two requests for one scope: approving one changes the state, so the other no longer says what it undoes.
    const other = aCommand('ACCOUNT:7', 'UNKILL', { ts: T0, operator: 'bob' })
    d.send(other)
    d.send(answer(ahead.cmd_id, 'ACCOUNT:7', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:7')?.status).toBe('ACTIVE')
    d.send(aCommand('ACCOUNT:7', 'KILL', { ts: T0 + 5 }))
    d.send(answer(other.cmd_id, 'ACCOUNT:7', 'APPROVE', 'sue'))
    expect(stateOf(d, 'ACCOUNT:7')?.status).toBe('KILLED')
  })

  it('holds a THROTTLE that would loosen a KILL or raise a cap, and lets one that tightens through', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:8', 'KILL'))
    const loosen = aCommand('ACCOUNT:8', 'THROTTLE', { ts: T0 + 1, operator: 'sue', max_orders_per_sec: 2_000_000_000 })
    d.send(loosen)
    expect(stateOf(d, 'ACCOUNT:8')?.status).toBe('KILLED')
    expect(requestOf(d, loosen.cmd_id)).toMatchObject({ action: 'THROTTLE', status: 'PENDING' })
    d.send(aCommand('ACCOUNT:9', 'THROTTLE', { max_orders_per_sec: 10 }))
    d.send(aCommand('ACCOUNT:9', 'THROTTLE', { ts: T0 + 1, max_orders_per_sec: 5 }))
    expect(stateOf(d, 'ACCOUNT:9')).toMatchObject({ status: 'THROTTLED', max_orders_per_sec: 5 })
    const raise = aCommand('ACCOUNT:9', 'THROTTLE', { ts: T0 + 2, operator: 'sue', max_orders_per_sec: 50 })
    d.send(raise)
    expect(requestOf(d, raise.cmd_id)?.status).toBe('PENDING')
    d.send(answer(raise.cmd_id, 'ACCOUNT:9', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:9')).toMatchObject({ status: 'THROTTLED', max_orders_per_sec: 50 })
  })

  it('applies an approval only to the very state the request was made against, whatever cmd_id it reuses', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:12', 'THROTTLE', { cmd_id: 't1', max_orders_per_sec: 100 }))
    const raise = aCommand('ACCOUNT:12', 'THROTTLE', { ts: T0 + 1, operator: 'sue', max_orders_per_sec: 1000 })
    d.send(raise)
    d.send(aCommand('ACCOUNT:12', 'THROTTLE', { ts: T0 + 2, cmd_id: 'x', max_orders_per_sec: 10 }))
    // Back to the first cmd_id, reused for another cap: the state is not the one the request was made against.
    d.send(aCommand('ACCOUNT:12', 'THROTTLE', { ts: T0 + 3, cmd_id: 't1', max_orders_per_sec: 5 }))
    d.send(answer(raise.cmd_id, 'ACCOUNT:12', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:12')).toMatchObject({ status: 'THROTTLED', max_orders_per_sec: 5 })
    expect(requestOf(d, raise.cmd_id)?.status).toBe('CANCELLED')
  })

  it('takes an approval from a named person only, a request id once, and a held request only as the aggregator wrote it', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:10', 'KILL'))
    const unkill = aCommand('ACCOUNT:10', 'UNKILL', { ts: T0 + 1, operator: 'local:sue' })
    d.send(unkill)
    for (const nobody of ['console', 'Console', 'unverified:bob']) d.send(answer(unkill.cmd_id, 'ACCOUNT:10', 'APPROVE', nobody))
    expect(stateOf(d, 'ACCOUNT:10')?.status).toBe('KILLED')
    expect(d.values(DEAD_LETTERS).slice(-3).map((l) => l.error)).toEqual([
      expect.stringContaining('bootstrap token) is no named person'),
      expect.stringContaining('bootstrap token) is no named person'),
      expect.stringContaining('not an identity the log authenticated'),
    ])
    // Nor may the bootstrap token or an unverified identity ask: else one person could ask as console, approve as self.
    for (const nobody of ['console', 'local:console', 'unverified:alice']) {
      const asked = aCommand('ACCOUNT:10', 'UNKILL', { ts: T0 + 2, operator: nobody })
      d.send(asked)
      expect(requestOf(d, asked.cmd_id), nobody).toBeUndefined()
    }
    expect(decisions(d).slice(-3)).toEqual(Array(3).fill('REFUSED UNKILL ACCOUNT'))
    // The same cmd_id again as a new request, for this scope or another: refused, the held one stays as it is.
    d.send(aCommand('ACCOUNT:11', 'KILL'))
    d.send({ ...unkill, scope: 'ACCOUNT:11', max_orders_per_sec: undefined })
    expect(requestOf(d, unkill.cmd_id)).toMatchObject({ scope: 'ACCOUNT:10', status: 'PENDING' })
    // A forged approvals record whose command is not the request it names is not loaded at a restart.
    const forged = { ...requestOf(d, unkill.cmd_id)!, request_id: 'forged', command: { ...unkill, scope: 'ACCOUNT:11' } }
    d.pipeRaw(APPROVALS, 'forged', JSON.stringify(forged))
    d.restart('aggregator')
    d.send(answer('forged', 'ACCOUNT:10', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:11')?.status).toBe('KILLED')
    expect(decisions(d).at(-1)).toBe('REFUSED APPROVE ACCOUNT')
  })

  it('rejects, expires on its own clock, and refuses a late approval; a KILL and a tightening THROTTLE are never held', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:3', 'KILL'))
    expect(stateOf(d, 'ACCOUNT:3')?.status).toBe('KILLED')
    d.send(aCommand('ACCOUNT:4', 'THROTTLE', { max_orders_per_sec: 1 }))
    expect(stateOf(d, 'ACCOUNT:4')?.status).toBe('THROTTLED')
    const rejected = aCommand('ACCOUNT:3', 'UNKILL', { ts: T0 + 1, operator: 'sue' })
    d.send(rejected)
    d.send(answer(rejected.cmd_id, 'ACCOUNT:3', 'REJECT', 'sue'))
    expect(requestOf(d, rejected.cmd_id)).toMatchObject({ status: 'REJECTED', decided_by: 'sue' })
    d.send(answer(rejected.cmd_id, 'ACCOUNT:3', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:3')?.status).toBe('KILLED')

    const late = aCommand('ACCOUNT:3', 'UNKILL', { ts: T0 + 2, operator: 'sue' })
    d.send(late)
    // Past the expiry with no command at all: the aggregator marks it EXPIRED on its own.
    d.advance(15 * MINUTE + 1)
    expect(requestOf(d, late.cmd_id)).toMatchObject({ status: 'EXPIRED' })
    d.send(answer(late.cmd_id, 'ACCOUNT:3', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:3')?.status).toBe('KILLED')
    expect(decisions(d).at(-1)).toBe('DUPLICATE APPROVE ACCOUNT')
  })

  it('keeps a held request across a restart, and a replayed UNKILL stays one request', () => {
    const d = driver()
    d.send(aCommand('ACCOUNT:5', 'KILL'))
    const unkill = aCommand('ACCOUNT:5', 'UNKILL', { ts: T0 + 1, operator: 'sue' })
    d.send(unkill)
    d.restart('aggregator')
    d.send(unkill)
    expect(decisions(d).at(-1)).toBe('DUPLICATE UNKILL ACCOUNT')
    expect([...d.latest(APPROVALS).keys()]).toEqual([unkill.cmd_id])
    d.restart('aggregator')
    d.send(answer(unkill.cmd_id, 'ACCOUNT:5', 'APPROVE', 'bob'))
    expect(stateOf(d, 'ACCOUNT:5')?.status).toBe('ACTIVE')
  })

  it('with the policy off, an UNKILL is one person\'s and an APPROVE has nothing to approve', () => {
    const d = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    d.send(aCommand('ACCOUNT:6', 'KILL'))
    const unkill = aCommand('ACCOUNT:6', 'UNKILL', { ts: T0 + 1 })
    d.send(unkill)
    expect(stateOf(d, 'ACCOUNT:6')?.status).toBe('ACTIVE')
    d.send(answer(unkill.cmd_id, 'ACCOUNT:6', 'APPROVE', 'bob'))
    expect(decisions(d).at(-1)).toBe('REFUSED APPROVE ACCOUNT')
  })
})

import { describe, expect, it } from 'vitest'
import type { KillState } from '../../../src/domain/kill-status.js'
import { KillStateTable } from '../../../src/domain/kill-state-table.js'
import { ThrottleMeter } from '../../../src/domain/throttle-meter.js'
import type { LogRecord } from '../../../src/log/port.js'
import { applyCommandBatch, rememberCommands } from '../../../src/processors/aggregator-step.js'
import type { CommandRecord } from '../../../src/contracts/commands.js'
import { vouchersFor } from './driver/commands.js'
import { SpentVouchers } from '../../../src/processors/spent-vouchers.js'
import { rememberDecided, routeBatch } from '../../../src/processors/router-step.js'
import { TentativeIds } from '../../../src/processors/tentative-ids.js'

const T = Date.UTC(2026, 11, 4, 12)
let offset = 0
const rec = (topic: string, value: unknown, key: string | null = null): LogRecord => ({
  topic,
  partition: 0,
  offset: offset++,
  key,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  timestamp: T,
  headers: {},
})
const cmd = (fields: Record<string, unknown>) =>
  rec('killswitch.commands.v1', { cmd_id: 'c-1', ts: T, scope: 'ACCOUNT:1', action: 'KILL', reason: 'r', triggered_by: 'detector', corr_id: 'x', ...fields })
const values = (records: readonly { value: Buffer | null }[]) => records.map((r) => JSON.parse(r.value!.toString()) as Record<string, unknown>)

describe('applyCommandBatch: every command ends in a visible outcome', () => {
  it('audits each command as APPLIED, DUPLICATE or REFUSED, and dead-letters refusals and non-commands', () => {
    const current = new Map<string, KillState>()
    const memory = new TentativeIds(100)
    const out = applyCommandBatch(
      current,
      memory,
      [
        cmd({ corr_id: 'k1' }),
        cmd({ corr_id: 'k1-again' }),
        cmd({ scope: 'SYMBOL:tsla', corr_id: 'k2' }),
        cmd({ cmd_id: 'u1', action: 'UNKILL', triggered_by: 'detector\u200b', corr_id: 'u1' }),
        rec('killswitch.commands.v1', 'not a command'),
      ],
      T,
    )
    expect(values(out.audits).map((a) => [a.decision, a.corr_id])).toEqual([
      ['APPLIED', 'k1'],
      ['DUPLICATE', 'k1-again'],
      ['APPLIED', 'k2'],
      ['REFUSED', 'u1'],
    ])
    expect(values(out.states).map((s) => s.scope)).toEqual(['ACCOUNT:1', 'SYMBOL:TSLA'])
    expect(values(out.deadLetters).map((l) => String(l.error).slice(0, 8))).toEqual(['refused:', 'not JSON'])
    expect([...current.keys()]).toEqual(['ACCOUNT:1', 'SYMBOL:TSLA'])
  })

  it('remembers across a restart what it handled, from the commands topic itself', () => {
    const history = [cmd({ corr_id: 'k1' }), cmd({ cmd_id: 'u1', action: 'UNKILL', triggered_by: 'operator', operator: 'ops', ts: T + 1, corr_id: 'u1' })]
    const before = new Map<string, KillState>()
    const trail = { vouchers: vouchersFor(...history.map((record) => JSON.parse(record.value!.toString()) as CommandRecord)), coverage: {}, spent: new SpentVouchers() }
    applyCommandBatch(before, new TentativeIds(100), history, T, undefined, undefined, undefined, trail)
    // After the restart the compacted state says ACTIVE; the old KILL and UNKILL come again.
    const memory = new TentativeIds(100)
    rememberCommands(memory, history)
    const out = applyCommandBatch(new Map(before), memory, [history[0]!, history[1]!], T + 5, undefined, undefined, undefined, trail)
    expect(values(out.audits).map((a) => a.decision)).toEqual(['DUPLICATE', 'DUPLICATE'])
    expect(out.states).toEqual([])
  })
})

describe('a command taken on a voucher is spent', () => {
  it('stays a DUPLICATE when a flood has pushed it out of the bounded memory, until no voucher could vouch for a copy', () => {
    const unkill = cmd({ cmd_id: 'u-1', action: 'UNKILL', triggered_by: 'operator', operator: 'alice', ts: T + 1, corr_id: 'u' })
    const trail = { vouchers: vouchersFor(JSON.parse(unkill.value!.toString()) as CommandRecord), coverage: {}, spent: new SpentVouchers() }
    const current = new Map<string, KillState>()
    // A memory of two: what a million raw KILLs do to the real one's.
    const memory = new TentativeIds(2)
    applyCommandBatch(current, memory, [cmd({ cmd_id: 'k-0', ts: T })], T, undefined, undefined, undefined, trail)
    expect(values(applyCommandBatch(current, memory, [unkill], T + 10, undefined, undefined, undefined, trail).audits)[0]).toMatchObject({ decision: 'APPLIED' })
    trail.spent.confirm()
    memory.confirm()
    applyCommandBatch(current, memory, [cmd({ cmd_id: 'k-1', ts: T }), cmd({ cmd_id: 'k-2', ts: T, scope: 'ACCOUNT:2' }), cmd({ cmd_id: 'k-3', ts: T, scope: 'ACCOUNT:3' })], T + 20, undefined, undefined, undefined, trail)
    memory.confirm()
    expect(memory.has(`u-1\u0000ACCOUNT:1\u0000UNKILL\u0000`)).toBe(false)
    expect(current.get('ACCOUNT:1')?.status).toBe('KILLED')
    // The exact copy, vouched for by the real entry still in its hour: refused as spent, the KILL stands.
    const replay = applyCommandBatch(current, memory, [unkill], T + 30, undefined, undefined, undefined, trail)
    expect(values(replay.audits)[0]).toMatchObject({ decision: 'DUPLICATE', reason: expect.stringContaining('its voucher is spent') })
    expect(current.get('ACCOUNT:1')?.status).toBe('KILLED')
    // Past the hour the spent record goes, and so does the voucher: the copy is refused for want of one.
    trail.spent.prune(T + 2 * 60 * 60_000)
    const late = applyCommandBatch(current, memory, [unkill], T + 2 * 60 * 60_000, undefined, undefined, undefined, trail)
    expect(values(late.audits)[0]).toMatchObject({ decision: 'REFUSED', reason: expect.stringContaining('over 60 minutes before') })
  })
})

describe('routeBatch', () => {
  it('gives each record one outcome: an audit (and the order forwarded on ALLOW) or a dead letter', () => {
    const table = new KillStateTable()
    table.apply({ scope: 'SYMBOL:TSLA', status: 'KILLED', updated_ts: T, updated_by: 'a', reason: 'halt', last_cmd_id: 'c', corr_id: 'k' })
    const order = (id: string, symbol: string, account = '12345') =>
      rec('orders.v1', { order_id: id, ts: 0, account_id: account, symbol, side: 'BUY', qty: 1, price: 1, strategy: 'm' })
    const routed = routeBatch(
      table,
      new ThrottleMeter(),
      new TentativeIds(100),
      [order('o-1', 'AAPL'), order('o-2', 'tsla'), order(' o-1 ', 'AAPL'), order('o-3', 'AAPL', '123\u200b45'), rec('orders.v1', `{"x":"${'y'.repeat(40_000)}"}`)],
      T,
      true,
    )
    expect(routed.auditValues!.map((a) => [a.order_id, a.decision])).toEqual([
      ['o-1', 'ALLOW'],
      ['o-2', 'DROP'],
      ['o-1', 'DUPLICATE'],
    ])
    expect(routed.gated).toHaveLength(1)
    expect(values(routed.deadLetters).map((l) => l.error)).toEqual([
      expect.stringMatching(/account_id .* contains U\+200B/),
      expect.stringMatching(/at most 32768 bytes/),
    ])
  })

  it('rebuilds decided order_ids from the router audits only', () => {
    const decided = new TentativeIds(100)
    rememberDecided(decided, [
      rec('audit.v1', { ts: T, decision: 'ALLOW', order_id: 'o-1', service: 'router' }, 'o-1'),
      rec('audit.v1', { ts: T, decision: 'APPLIED', order_id: '', service: 'aggregator' }, 'c-1'),
    ])
    expect(decided.has('o-1')).toBe(true)
    expect(decided.has('c-1')).toBe(false)
  })
})

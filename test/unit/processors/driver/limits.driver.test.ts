import { describe, expect, it } from 'vitest'
import type { LimitsRecord } from '../../../../src/domain/pretrade/limits-command.js'
import type { LogRecord } from '../../../../src/log/port.js'
import { AggregatorState } from '../../../../src/processors/aggregator-state.js'
import { decodeCommand } from '../../../../src/processors/command-codec.js'
import { encode } from '../../../../src/processors/topic-codec.js'
import { AUDIT, DEAD_LETTERS, findTopic, KILL_COMMANDS, KILL_STATE, RISK_LIMITS } from '../../../../topologies/topics.js'
import { TopologyTestDriver } from '../../../helpers/topology-test-driver.js'
import { aCommand, aLimitsCommand, trailRecordOf } from './commands.js'

const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)
const HOUR = 60 * 60 * 1000

function outcomes(driver: TopologyTestDriver): string[] {
  return driver
    .values(AUDIT)
    .filter((a) => a.service === 'aggregator')
    .map((a) => a.reason.split(': ')[0]!)
}

function limitsOf(driver: TopologyTestDriver, scope: string): LimitsRecord | undefined {
  const record = driver.latest(RISK_LIMITS).get(scope)
  return record?.value ? (JSON.parse(record.value.toString()) as LimitsRecord) : undefined
}

function asRecord(topic: string, offset: number, value: object): LogRecord {
  const produced = encode(KILL_COMMANDS, value as never)
  return { topic, partition: 0, offset, key: produced.key, value: produced.value, timestamp: T0, headers: {} }
}

describe('limits commands on killswitch.commands.v1', () => {
  it('are told from kill commands by their action; a record that is neither is invalid, with the reason', () => {
    expect(decodeCommand(asRecord(KILL_COMMANDS, 0, aCommand('ACCOUNT:1', 'KILL'))).type).toBe('kill')
    expect(decodeCommand(asRecord(KILL_COMMANDS, 1, aLimitsCommand('ACCOUNT:1', { limits: { max_order_qty: 5 } }))).type).toBe('limits')
    const unknown = decodeCommand(asRecord(KILL_COMMANDS, 2, { ...aCommand('ACCOUNT:1', 'KILL'), action: 'RAISE' }))
    expect(unknown).toMatchObject({ type: 'invalid', error: expect.stringMatching(/^action: /) })
    const extra = decodeCommand(asRecord(KILL_COMMANDS, 3, { ...aLimitsCommand('ACCOUNT:1', { limits: { max_order_qty: 5 } }), sneaky: 1 }))
    expect(extra).toMatchObject({ type: 'invalid', error: expect.stringContaining('sneaky') })
  })

  it('are accepted by the topic spec that `riskctl produce` validates with, as kill commands still are', () => {
    const schema = findTopic(KILL_COMMANDS)!.schema
    expect(schema.safeParse(aLimitsCommand('GLOBAL', { restrict: ['GME'] })).success).toBe(true)
    expect(schema.safeParse(aLimitsCommand('GLOBAL', { action: 'REVERT_LIMITS', reverts: 'l-1' })).success).toBe(true)
    expect(schema.safeParse(aCommand('ACCOUNT:1', 'THROTTLE', { max_orders_per_sec: 3 })).success).toBe(true)
    expect(schema.safeParse(aLimitsCommand('GLOBAL', { action: 'REVERT_LIMITS' })).success).toBe(false)
  })
})

describe('the aggregator applies limits commands', () => {
  it('writes the scope record to risk_limits.v1 under the scope and audits it APPLIED, beside kill commands', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.send(aCommand('ACCOUNT:1', 'KILL'))
    driver.send(aLimitsCommand('ACCOUNT:1', { limits: { max_order_qty: 100 }, restrict: ['TSLA'] }))
    expect(limitsOf(driver, 'ACCOUNT:1')).toMatchObject({
      scope: 'ACCOUNT:1',
      limits: { max_order_qty: 100, restricted_symbols: ['TSLA'] },
      updated_by: 'alice',
    })
    expect(driver.latest(KILL_STATE).has('ACCOUNT:1')).toBe(true)
    expect(outcomes(driver)).toEqual(['APPLIED KILL ACCOUNT:1 from operator', 'APPLIED SET_LIMITS ACCOUNT:1 from operator'])
    const audit = driver.values(AUDIT).at(-1)!
    expect(audit).toMatchObject({ account_id: '1', killswitch_status: 'KILLED', scope_matches: ['ACCOUNT:1'] })
  })

  it('applies a reused cmd_id once, for any scope, also after a restart', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    const set = aLimitsCommand('ACCOUNT:2', { limits: { max_order_qty: 100 } })
    driver.send(set)
    driver.send({ ...set, limits: { max_order_qty: 50 } })
    driver.restart('aggregator')
    driver.send(set)
    driver.send({ ...set, scope: 'ACCOUNT:3' })
    expect(outcomes(driver)).toEqual([
      'APPLIED SET_LIMITS ACCOUNT:2 from operator',
      'DUPLICATE SET_LIMITS ACCOUNT:2 from operator',
      'DUPLICATE SET_LIMITS ACCOUNT:2 from operator',
      'DUPLICATE SET_LIMITS ACCOUNT:3 from operator',
    ])
    expect(limitsOf(driver, 'ACCOUNT:2')?.limits).toEqual({ max_order_qty: 100 })
    expect(limitsOf(driver, 'ACCOUNT:3')).toBeUndefined()
  })

  it('refuses a loosening from anything but an operator, and any change a named operator did not send, audited and dead-lettered', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.send(aLimitsCommand('ACCOUNT:4', { limits: { max_order_qty: 100 }, restrict: ['TSLA'] }))
    const loosen = { limits: { max_order_qty: 1000 } }
    driver.send(aLimitsCommand('ACCOUNT:4', { ...loosen, triggered_by: 'detector', operator: undefined, ts: T0 + 1 }))
    driver.send(aLimitsCommand('ACCOUNT:4', { ...loosen, triggered_by: 'operator', operator: undefined, ts: T0 + 1 }))
    driver.send(aLimitsCommand('ACCOUNT:4', { unrestrict: ['TSLA'], triggered_by: 'Operator', ts: T0 + 1 }))
    // A tightening too: whatever names no operator has no entry in the trail that could be its own.
    driver.send(aLimitsCommand('ACCOUNT:4', { limits: { max_order_qty: 10 }, triggered_by: 'detector', operator: undefined, ts: T0 + 1 }))
    driver.send(aLimitsCommand('ACCOUNT:4', { limits: { max_order_qty: 10 }, ts: T0 + 1 }))
    expect(outcomes(driver)).toEqual([
      'APPLIED SET_LIMITS ACCOUNT:4 from operator',
      'REFUSED SET_LIMITS ACCOUNT:4 from detector',
      'REFUSED SET_LIMITS ACCOUNT:4 from operator',
      'REFUSED SET_LIMITS ACCOUNT:4 from Operator',
      'REFUSED SET_LIMITS ACCOUNT:4 from detector',
      'APPLIED SET_LIMITS ACCOUNT:4 from operator',
    ])
    expect(limitsOf(driver, 'ACCOUNT:4')?.limits).toEqual({ max_order_qty: 10, restricted_symbols: ['TSLA'] })
    // The one that named an operator and came with its entry is judged on its source, and refused for loosening.
    expect(driver.values(DEAD_LETTERS).map((l) => l.error)).toEqual([
      expect.stringMatching(/^refused: no ALLOWED entry for cmd_id .* by \?\) in the operator-action trail/),
      expect.stringMatching(/^refused: no ALLOWED entry for cmd_id .* by \?\) in the operator-action trail/),
      expect.stringMatching(/^refused: .*loosen/),
      expect.stringMatching(/^refused: no ALLOWED entry for cmd_id .* by \?\) in the operator-action trail/),
    ])
  })

  it('dead-letters a limits command with an unknown field or a negative value, and applies nothing of it', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    const set = aLimitsCommand('ACCOUNT:5', { limits: { max_order_qty: 100 } })
    driver.pipeRaw(KILL_COMMANDS, 'ACCOUNT:5', JSON.stringify({ ...set, limits: { max_order_qty: -1 } }))
    driver.pipeRaw(KILL_COMMANDS, 'ACCOUNT:5', JSON.stringify({ ...set, limits: { max_order_qtty: 1e9 } }))
    driver.pipeRaw(KILL_COMMANDS, 'ACCOUNT:5', JSON.stringify({ ...set, triggered_by_channel: 'operator' }))
    driver.pipeRaw(KILL_COMMANDS, 'SYMBOL:X', JSON.stringify({ ...set, scope: 'SYMBOL:X' }))
    expect(driver.values(DEAD_LETTERS).map((l) => l.error)).toEqual([
      expect.stringContaining('limits.max_order_qty'),
      expect.stringContaining('max_order_qtty'),
      expect.stringContaining('triggered_by_channel'),
      expect.stringContaining('GLOBAL or ACCOUNT:<id>'),
    ])
    expect(outcomes(driver)).toEqual([])
    expect(driver.latest(RISK_LIMITS).size).toBe(0)
  })

  it('treats a REVERT of a change that is no longer the temporary one as a duplicate, and changes nothing', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.send(aLimitsCommand('ACCOUNT:6', { limits: { max_order_qty: 100 } }))
    const first = aLimitsCommand('ACCOUNT:6', { limits: { max_order_qty: 200 }, expires_ts: T0 + HOUR, ts: T0 + 1 })
    const second = aLimitsCommand('ACCOUNT:6', { limits: { max_order_qty: 300 }, expires_ts: T0 + 2 * HOUR, ts: T0 + 2 })
    driver.send(first)
    driver.send(second)
    driver.send(aLimitsCommand('ACCOUNT:6', { action: 'REVERT_LIMITS', reverts: first.cmd_id, ts: T0 + 3 }))
    expect(outcomes(driver).at(-1)).toBe('DUPLICATE REVERT_LIMITS ACCOUNT:6 from operator')
    expect(limitsOf(driver, 'ACCOUNT:6')).toMatchObject({ limits: { max_order_qty: 300 }, temporary_cmd_id: second.cmd_id })
  })

  it("refuses a REVERT in the aggregator's name before the change has expired", () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    const raise = aLimitsCommand('ACCOUNT:7', { limits: { max_order_qty: 200 }, expires_ts: T0 + HOUR })
    driver.send(raise)
    driver.send(aLimitsCommand('ACCOUNT:7', { action: 'REVERT_LIMITS', reverts: raise.cmd_id, triggered_by: 'aggregator', operator: undefined }))
    expect(outcomes(driver).at(-1)).toBe('REFUSED REVERT_LIMITS ACCOUNT:7 from aggregator')
    expect(limitsOf(driver, 'ACCOUNT:7')?.temporary_cmd_id).toBe(raise.cmd_id)
  })
})

describe('temporary limits at their expiry', () => {
  it('writes one REVERT_LIMITS on its own clock, reads it back and applies it, with its own audit', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.send(aLimitsCommand('GLOBAL', { limits: { max_order_notional: 1_000_000 } }))
    const raise = aLimitsCommand('GLOBAL', { limits: { max_order_notional: 5_000_000 }, expires_ts: T0 + HOUR, ts: T0 + 1 })
    driver.send(raise)
    driver.advance(HOUR - 1)
    expect(driver.values(KILL_COMMANDS)).toHaveLength(2)
    driver.advance(1)
    const reverts = driver.values(KILL_COMMANDS).filter((c) => c.action === 'REVERT_LIMITS')
    expect(reverts).toEqual([
      expect.objectContaining({ cmd_id: `revert-${raise.cmd_id}`, reverts: raise.cmd_id, triggered_by: 'aggregator', corr_id: raise.corr_id }),
    ])
    expect(limitsOf(driver, 'GLOBAL')).toMatchObject({ limits: { max_order_notional: 1_000_000 }, updated_by: 'aggregator' })
    expect(limitsOf(driver, 'GLOBAL')?.expires_ts).toBeUndefined()
    expect(outcomes(driver).at(-1)).toBe('APPLIED REVERT_LIMITS GLOBAL from aggregator')
    // Later passes and a restart find nothing left to revert.
    driver.advance(HOUR)
    driver.restart('aggregator')
    driver.advance(HOUR)
    expect(driver.values(KILL_COMMANDS).filter((c) => c.action === 'REVERT_LIMITS')).toHaveLength(1)
  })

  it('reverts at startup a change that expired while it was down', () => {
    const set = aLimitsCommand('ACCOUNT:8', { limits: { credit_limit: 5 }, expires_ts: T0 + HOUR })
    const before = new AggregatorState()
    before.vouch([trailRecordOf(set)])
    const written = before.apply([asRecord(KILL_COMMANDS, 0, set)], T0).limits
    // Started after the expiry, from the compacted limits and the commands it had handled: its first pass reverts.
    const started = new AggregatorState()
    started.loadLimits(written.map((r, offset) => ({ topic: RISK_LIMITS, partition: 0, offset, key: r.key, value: r.value, timestamp: T0, headers: {} })))
    started.remember([asRecord(KILL_COMMANDS, 0, set)], T0 + 2 * HOUR)
    expect(started.hasDueReverts(T0 + 2 * HOUR)).toBe(true)
    const first = started.apply([], T0 + 2 * HOUR)
    expect(first.reverts.map((r) => r.key)).toEqual(['ACCOUNT:8'])
    started.confirm()
    expect(started.hasDueReverts(T0 + 3 * HOUR)).toBe(false)
  })

  it('does not ask again for a REVERT it wrote but had not read back before a restart; a second writer is a duplicate', () => {
    const set = aLimitsCommand('ACCOUNT:9', { limits: { max_order_qty: 500 }, expires_ts: T0 + HOUR })
    const setRecord = asRecord(KILL_COMMANDS, 0, set)
    const first = new AggregatorState()
    first.vouch([trailRecordOf(set)])
    const applied = first.apply([setRecord], T0)
    first.confirm()
    const expired = first.apply([], T0 + HOUR)
    first.confirm()
    expect(expired.reverts).toHaveLength(1)
    const revertRecord: LogRecord = { ...setRecord, offset: 1, key: expired.reverts[0]!.key, value: expired.reverts[0]!.value }
    const limitsRecords = applied.limits.map((r, offset) => ({ ...setRecord, topic: RISK_LIMITS, offset, key: r.key, value: r.value }))

    // A restart with the group committed after the SET: the REVERT lies past the commit, still to be read.
    const restarted = new AggregatorState()
    restarted.loadLimits(limitsRecords)
    restarted.remember([setRecord], T0 + 2 * HOUR)
    restarted.rememberPending([revertRecord])
    expect(restarted.hasDueReverts(T0 + 2 * HOUR)).toBe(false)
    const after = restarted.apply([revertRecord], T0 + 2 * HOUR)
    expect(after.reverts).toHaveLength(0)
    expect(after.limitsApplied.map(([record]) => record.limits)).toEqual([{}])

    // A second aggregator that never saw it writes the same cmd_id, which is then a duplicate.
    const other = new AggregatorState()
    other.loadLimits(limitsRecords)
    const again = other.apply([], T0 + 2 * HOUR).reverts
    expect(again.map((r) => (JSON.parse(r.value!.toString()) as { cmd_id: string }).cmd_id)).toEqual([`revert-${set.cmd_id}`])
    const twice = other.apply([revertRecord, { ...revertRecord, offset: 2 }], T0 + 2 * HOUR)
    expect(twice.limitsApplied).toHaveLength(1)
    expect(twice.duplicates).toBe(1)
  })
})

import { describe, expect, it } from 'vitest'
import type { CommandRecord } from '../../../../src/contracts/commands.js'
import { VOUCHER_LOOKBACK_MS } from '../../../../src/domain/operator-voucher.js'
import { allowedAction } from '../../../../src/processors/operator-trail.js'
import { encode } from '../../../../src/processors/topic-codec.js'
import { AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE, OPERATOR_ACTIONS, RISK_LIMITS } from '../../../../topologies/topics.js'
import { TopologyTestDriver } from '../../../helpers/topology-test-driver.js'
import { aCommand, aLimitsCommand } from './commands.js'

const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)
const MINUTE = 60_000

function outcomes(driver: TopologyTestDriver): string[] {
  return driver
    .values(AUDIT)
    .filter((a) => a.service === 'aggregator')
    .map((a) => `${a.decision} ${a.reason.split(': ')[1]?.slice(0, 40) ?? ''}`)
}

function statusOf(driver: TopologyTestDriver, scope: string): string | undefined {
  const record = driver.latest(KILL_STATE).get(scope)
  return record?.value ? (JSON.parse(record.value.toString()) as { status: string }).status : undefined
}

/** A killed account, as every case here starts. */
function killed(scope = 'ACCOUNT:1'): TopologyTestDriver {
  const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
  driver.send(aCommand(scope, 'KILL', { ts: T0 }))
  expect(statusOf(driver, scope)).toBe('KILLED')
  return driver
}

/** An entry in the trail written by hand, as a principal that may write the trail could: not with its command. */
function entry(driver: TopologyTestDriver, command: CommandRecord, overrides: Record<string, unknown> = {}): void {
  const value = { ...allowedAction(command, { channel: 'cli', from: 'test' }), ...overrides }
  driver.pipeRecords(OPERATOR_ACTIONS, [encode(OPERATOR_ACTIONS, value as never, { timestamp: driver.now })])
}

describe('a command that loosens takes effect only with its ALLOWED entry in the operator-action trail', () => {
  it('applies an UNKILL the operator channel sent: the command and its entry together', () => {
    const driver = killed()
    driver.advance(1000)
    driver.send(aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1000 }))
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('ACTIVE')
  })

  it('refuses an UNKILL written raw to killswitch.commands.v1, however well it names an operator, and keeps the kill', () => {
    const driver = killed()
    driver.advance(1000)
    // What the detector's principal could write: it may write the commands topic, never the trail.
    for (const operator of ['alice', 'sasl:alice', 'local:root']) {
      driver.pipe(KILL_COMMANDS, aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1000, operator }))
    }
    driver.pipe(KILL_COMMANDS, aCommand('ACCOUNT:1', 'THROTTLE', { ts: T0 + 1000, max_orders_per_sec: 1000 }))
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    expect(outcomes(driver).slice(1).map((o) => o.split(' for ')[0])).toEqual(Array(4).fill('REFUSED no ALLOWED entry'))
    const letters = driver.values(DEAD_LETTERS)
    expect(letters).toHaveLength(4)
    expect(letters.every((l) => l.source_topic === KILL_COMMANDS && /none was found/.test(l.error))).toBe(true)
  })

  it('refuses a limits change and an approval answer written raw, and lets a raw KILL through', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.pipe(KILL_COMMANDS, aLimitsCommand('ACCOUNT:2', { limits: { max_order_qty: 10 } }))
    driver.pipe(KILL_COMMANDS, { cmd_id: 'a-1', ts: T0, scope: 'ACCOUNT:2', action: 'APPROVE', request_id: 'r-1', reason: 'ok', triggered_by: 'operator', operator: 'bob', corr_id: 'k' } as never)
    driver.pipe(KILL_COMMANDS, aCommand('ACCOUNT:2', 'KILL', { triggered_by: 'detector', operator: undefined }))
    expect(driver.values(AUDIT).map((a) => a.reason.split(':')[0])).toEqual([
      'REFUSED SET_LIMITS ACCOUNT',
      'REFUSED APPROVE ACCOUNT',
      'APPLIED KILL ACCOUNT',
    ])
    expect(statusOf(driver, 'ACCOUNT:2')).toBe('KILLED')
  })

  it("does not take another command's entry: another scope, action, operator, cmd_id or outcome vouches for nothing", () => {
    const driver = killed()
    driver.advance(1000)
    const unkill = aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1000 })
    entry(driver, { ...unkill, scope: 'ACCOUNT:9' })
    entry(driver, { ...unkill, action: 'THROTTLE', max_orders_per_sec: 5 })
    entry(driver, { ...unkill, operator: 'mallory' })
    entry(driver, { ...unkill, cmd_id: 'other' })
    entry(driver, unkill, { outcome: 'REFUSED' })
    driver.pipe(KILL_COMMANDS, unkill)
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    const refusal = driver.values(DEAD_LETTERS).at(-1)!.error
    expect(refusal).toContain('its entries there are for other commands (UNKILL ACCOUNT:9 by alice, THROTTLE ACCOUNT:1 by alice, UNKILL ACCOUNT:1 by mallory)')
  })

  it("does not take a real command's entry for a copy with another cap, limit or time under its cmd_id", () => {
    const driver = killed()
    driver.advance(1000)
    // alice throttles at 5/s; a copy at a million a second, its cmd_id read off the state topic, is vouched for by nothing.
    const throttle = aCommand('ACCOUNT:1', 'THROTTLE', { ts: T0 + 1000, max_orders_per_sec: 5 })
    driver.send(throttle)
    driver.pipe(KILL_COMMANDS, aCommand('ACCOUNT:1', 'KILL', { triggered_by: 'detector', operator: undefined, ts: T0 + 2000 }))
    driver.pipe(KILL_COMMANDS, { ...throttle, ts: T0 + 3000, max_orders_per_sec: 1_000_000 })
    driver.pipe(KILL_COMMANDS, { ...throttle, ts: T0 + 3000 })
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    // And a limits change: the same cmd_id, scope and operator, a looser limit.
    const set = aLimitsCommand('ACCOUNT:1', { limits: { max_order_qty: 5 }, ts: T0 + 1000 })
    driver.send(set)
    driver.pipe(KILL_COMMANDS, { ...set, cmd_id: set.cmd_id, limits: { max_order_qty: 1e9 }, ts: T0 + 4000 })
    const limits = driver.latest(RISK_LIMITS).get('ACCOUNT:1')
    expect(JSON.parse(limits!.value!.toString())).toMatchObject({ limits: { max_order_qty: 5 } })
    // The copy with another cap is a command of its own, and vouched for by nothing; the others reuse an identity
    // already handled, and are DUPLICATEs before any voucher is looked at.
    expect(outcomes(driver).slice(-4).map((o) => o.split(' ')[0])).toEqual(['REFUSED', 'DUPLICATE', 'APPLIED', 'DUPLICATE'])
    expect(driver.values(DEAD_LETTERS).at(-1)!.error).toContain('not the same command')
  })

  it('keeps the time of a state from going backwards: a KILL stamped long ago cannot make an older UNKILL fresh', () => {
    const driver = killed()
    driver.advance(60_000)
    const unkill = aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 60_000 })
    driver.send(unkill)
    driver.advance(60_000)
    driver.send(aCommand('ACCOUNT:1', 'KILL', { ts: T0 + 120_000 }))
    const updatedTs = () => (JSON.parse(driver.latest(KILL_STATE).get('ACCOUNT:1')!.value!.toString()) as { updated_ts: number }).updated_ts
    expect(updatedTs()).toBe(T0 + 120_000)
    driver.pipe(KILL_COMMANDS, aCommand('ACCOUNT:1', 'KILL', { triggered_by: 'detector', operator: undefined, ts: 0 }))
    expect(updatedTs()).toBe(T0 + 120_000)
    // So the UNKILL from before the last KILL, sent again under another cmd_id with its entry, is still stale.
    driver.send({ ...unkill, cmd_id: 'again' })
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
  })

  it('matches an entry whose scope was written in another spelling, as the command is read', () => {
    const driver = killed()
    driver.advance(1000)
    const unkill = aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1000 })
    entry(driver, { ...unkill, scope: 'account:1' })
    driver.pipe(KILL_COMMANDS, unkill)
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('ACTIVE')
  })

  it('refuses an UNKILL from a clock over an hour slow, saying so; ten minutes slow is applied', () => {
    const driver = killed()
    driver.advanceTo(T0 + 3 * VOUCHER_LOOKBACK_MS)
    const now = driver.now
    // Not stale: the scope was killed before either was sent.
    driver.send(aCommand('ACCOUNT:1', 'UNKILL', { ts: now - VOUCHER_LOOKBACK_MS - 5 * MINUTE }), now - VOUCHER_LOOKBACK_MS - 5 * MINUTE)
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    const from = new Date(now - VOUCHER_LOOKBACK_MS).toISOString()
    expect(driver.values(DEAD_LETTERS).at(-1)!.error).toContain(`none was found from ${from} on`)
    driver.send(aCommand('ACCOUNT:1', 'UNKILL', { ts: now - 10 * MINUTE }), now - 10 * MINUTE)
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('ACTIVE')
  })

  it('refuses a command from a clock over five minutes fast, saying so; four minutes fast is taken', () => {
    const driver = killed()
    driver.advance(1000)
    driver.send(aCommand('ACCOUNT:1', 'UNKILL', { ts: driver.now + 6 * MINUTE }))
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    expect(driver.values(DEAD_LETTERS).at(-1)!.error).toMatch(/its entry is from .*, over 5 minutes ahead of the aggregator's clock/)
    driver.send(aCommand('ACCOUNT:1', 'UNKILL', { ts: driver.now + 4 * MINUTE }))
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('ACTIVE')
  })

  it('keeps a command taken on a voucher spent across a restart: its exact copy is a DUPLICATE', () => {
    const driver = killed()
    driver.advance(1000)
    const unkill = aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1000 })
    driver.send(unkill)
    driver.send(aCommand('ACCOUNT:1', 'KILL', { ts: T0 + 1000 }))
    driver.restart('aggregator')
    driver.pipe(KILL_COMMANDS, unkill)
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    expect(outcomes(driver).at(-1)).toMatch(/^DUPLICATE/)
  })

  it('keeps a refused forgery refused after a restart, and a re-sent copy of it is a DUPLICATE, never applied', () => {
    const driver = killed()
    driver.advance(1000)
    const forged = aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1000 })
    driver.pipe(KILL_COMMANDS, forged)
    driver.restart('aggregator')
    driver.pipe(KILL_COMMANDS, forged)
    // Its entry written afterwards, apart from it, by a principal that may write the trail: the cmd_id is spent.
    entry(driver, forged)
    driver.pipe(KILL_COMMANDS, forged)
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    expect(outcomes(driver).slice(1).map((o) => o.split(' ')[0])).toEqual(['REFUSED', 'DUPLICATE', 'DUPLICATE'])
  })
})

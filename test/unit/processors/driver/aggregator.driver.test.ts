import { describe, expect, it } from 'vitest'
import { AUDIT, DEAD_LETTERS, KILL_COMMANDS, KILL_STATE } from '../../../../topologies/topics.js'
import { TopologyTestDriver } from '../../../helpers/topology-test-driver.js'
import { aCommand } from './commands.js'

const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)

function outcomes(driver: TopologyTestDriver): string[] {
  return driver.values(AUDIT).filter((a) => a.service === 'aggregator').map((a) => `${a.decision} ${a.scope_matches.join()}`)
}

function statusOf(driver: TopologyTestDriver, scope: string): string | undefined {
  const record = driver.latest(KILL_STATE).get(scope)
  return record?.value ? (JSON.parse(record.value.toString()) as { status: string }).status : undefined
}

describe('the aggregator, driven command by command', () => {
  it('applies a kill, an unkill and a throttle in order, each audited as APPLIED', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.send(aCommand('ACCOUNT:1', 'KILL'))
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('KILLED')
    driver.send(aCommand('ACCOUNT:1', 'UNKILL', { ts: T0 + 1 }))
    driver.send(aCommand('ACCOUNT:1', 'THROTTLE', { ts: T0 + 2, max_orders_per_sec: 10 }))
    expect(statusOf(driver, 'ACCOUNT:1')).toBe('THROTTLED')
    expect(outcomes(driver)).toEqual(['APPLIED ACCOUNT:1', 'APPLIED ACCOUNT:1', 'APPLIED ACCOUNT:1'])
  })

  it('refuses an UNKILL from anything but the operator channel, visibly, and leaves the kill standing', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.send(aCommand('ACCOUNT:2', 'KILL'))
    for (const source of ['detector', 'Operator', 'operator ']) {
      driver.send(aCommand('ACCOUNT:2', 'UNKILL', { ts: T0 + 1, triggered_by: source }))
    }
    expect(statusOf(driver, 'ACCOUNT:2')).toBe('KILLED')
    expect(outcomes(driver)).toEqual(['APPLIED ACCOUNT:2', 'REFUSED ACCOUNT:2', 'REFUSED ACCOUNT:2', 'REFUSED ACCOUNT:2'])
    expect(driver.values(DEAD_LETTERS).map((l) => l.error)).toEqual(Array(3).fill(expect.stringMatching(/^refused/)))
  })

  it('applies a re-sent command once, also after a restart, but a reused cmd_id for another scope in full', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    const kill = aCommand('ACCOUNT:3', 'KILL')
    driver.send(kill)
    driver.send(kill)
    driver.restart('aggregator')
    driver.send(kill)
    driver.send({ ...kill, scope: 'ACCOUNT:4' })
    expect(outcomes(driver)).toEqual(['APPLIED ACCOUNT:3', 'DUPLICATE ACCOUNT:3', 'DUPLICATE ACCOUNT:3', 'APPLIED ACCOUNT:4'])
  })

  it('dead-letters a record that is no command and goes on with the next', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.pipeRaw(KILL_COMMANDS, 'ACCOUNT:5', '{"action":"UNKILL","scope":"ACCOUNT:5"}')
    driver.send(aCommand('ACCOUNT:5', 'KILL'))
    expect(driver.values(DEAD_LETTERS)).toHaveLength(1)
    expect(statusOf(driver, 'ACCOUNT:5')).toBe('KILLED')
  })

  it('repairs a state record it did not write: the scope stays killed, the bad record is dead-lettered', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['aggregator'] })
    driver.send(aCommand('ACCOUNT:6', 'KILL'))
    // Given someone writes a truncated ACTIVE record over the kill
    driver.pipeRaw(KILL_STATE, 'ACCOUNT:6', '{"scope":"ACCOUNT:6","status":"ACTIVE"}')
    // Then the aggregator puts a whole record on top that keeps the tighter of the two
    expect(statusOf(driver, 'ACCOUNT:6')).toBe('KILLED')
    expect(driver.values(DEAD_LETTERS).map((l) => l.source_topic)).toEqual([KILL_STATE])
  })
})

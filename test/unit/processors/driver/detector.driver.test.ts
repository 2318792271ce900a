import { describe, expect, it } from 'vitest'
import { loadDetectorTopology } from '../../../../src/config/detector-topology.js'
import { AUDIT, KILL_COMMANDS, ORDERS } from '../../../../topologies/topics.js'
import { anOrder } from '../../../helpers/fixtures.js'
import { TopologyTestDriver } from '../../../helpers/topology-test-driver.js'
import { aCommand } from './commands.js'

const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)
const settings = loadDetectorTopology()
let next = 0

/** A burst from one account: more orders in the window than the threshold allows, one per 10 ms of the log's clock. */
function runaway(driver: TopologyTestDriver, account: string, count: number, ts = (now: number) => now): void {
  for (let i = 0; i < count; i += 1) {
    driver.pipe(ORDERS, anOrder({ order_id: `r-${++next}`, account_id: account, qty: 1, price: 10, ts: ts(driver.now) }))
    driver.advance(10)
  }
}

function kills(driver: TopologyTestDriver): string[] {
  return driver.values(KILL_COMMANDS).filter((c) => c.triggered_by === 'detector').map((c) => `${c.action} ${c.scope}`)
}

function all(): TopologyTestDriver {
  return new TopologyTestDriver({ startMs: T0, detectorSettings: settings })
}

describe('the detector, driven order by order on the log clock', () => {
  it('asks once for a KILL of a runaway account, and the router drops its orders from then on', () => {
    const driver = all()
    runaway(driver, 'r1', settings.thresholds.orderCount + 20)
    driver.pipe(ORDERS, anOrder({ order_id: 'calm', account_id: 'calm', qty: 1, price: 10 }))
    expect(kills(driver)).toEqual(['KILL ACCOUNT:r1'])
    const decided = driver.values(AUDIT).filter((a) => a.service === 'router')
    expect(decided.at(-2)).toMatchObject({ account_id: 'r1', decision: 'DROP' })
    expect(decided.at(-1)).toMatchObject({ account_id: 'calm', decision: 'ALLOW' })
  })

  it('is not fooled by a client clock minutes off in either direction', () => {
    for (const skew of [-10 * 60_000, 10 * 60_000, -10 * 24 * 3600_000]) {
      const driver = all()
      runaway(driver, 'skewed', settings.thresholds.orderCount + 5, (now) => Math.max(0, now + skew))
      expect(kills(driver)).toEqual(['KILL ACCOUNT:skewed'])
    }
  })

  it('counts one account however its id is spelt', () => {
    const driver = all()
    const spellings = ['Acc7', ' acc7', 'ACC7 ', 'ａｃｃ７']
    for (let i = 0; i <= settings.thresholds.orderCount + 4; i += 1) {
      driver.pipe(ORDERS, anOrder({ order_id: `s-${i}`, account_id: spellings[i % spellings.length]!, qty: 1, price: 10 }))
      driver.advance(10)
    }
    expect(kills(driver)).toEqual(['KILL ACCOUNT:acc7'])
  })

  it('does not ask again for a scope an operator already killed', () => {
    const driver = all()
    driver.send(aCommand('ACCOUNT:r2', 'KILL'))
    runaway(driver, 'r2', settings.thresholds.orderCount + 20)
    expect(kills(driver)).toEqual([])
  })

  it('asks once across a restart in the middle of the runaway', () => {
    const driver = all()
    runaway(driver, 'r3', settings.thresholds.orderCount - 10)
    driver.restart('detector')
    runaway(driver, 'r3', 30)
    driver.restart('detector')
    runaway(driver, 'r3', 30)
    expect(kills(driver)).toEqual(['KILL ACCOUNT:r3'])
  })

  it('after an operator unkills, judges the scope afresh: a runaway that goes on is killed again', () => {
    const driver = all()
    runaway(driver, 'r4', settings.thresholds.orderCount + 5)
    driver.send(aCommand('ACCOUNT:r4', 'UNKILL', { ts: driver.now }))
    // The orders before the unkill no longer count: a few more are no breach
    runaway(driver, 'r4', 10)
    expect(kills(driver)).toEqual(['KILL ACCOUNT:r4'])
    runaway(driver, 'r4', settings.thresholds.orderCount)
    expect(kills(driver)).toEqual(['KILL ACCOUNT:r4', 'KILL ACCOUNT:r4'])
  })

  it('never writes anything but KILL commands and signals', () => {
    const driver = all()
    runaway(driver, 'r5', settings.thresholds.orderCount + 5)
    driver.send(aCommand('ACCOUNT:r5', 'UNKILL', { ts: driver.now }))
    driver.advance(settings.windowMs * 3)
    const fromDetector = driver.values(KILL_COMMANDS).filter((c) => c.triggered_by !== 'operator')
    expect(fromDetector.length).toBeGreaterThan(0)
    expect(fromDetector.every((c) => c.action === 'KILL')).toBe(true)
  })
})

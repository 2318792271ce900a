import { describe, expect, it } from 'vitest'
import { AUDIT, DEAD_LETTERS, KILL_STATE, ORDERS, ORDERS_GATED } from '../../../../topologies/topics.js'
import { anOrder } from '../../../helpers/fixtures.js'
import { TopologyTestDriver } from '../../../helpers/topology-test-driver.js'
import { aCommand } from './commands.js'

const T0 = Date.UTC(2026, 11, 4, 14, 0, 0)
const operator = aCommand

function decisions(driver: TopologyTestDriver): string[] {
  return driver.values(AUDIT).filter((a) => a.service === 'router').map((a) => `${a.order_id}:${a.decision}`)
}

describe('the router, driven record by record', () => {
  it('lets an order through byte for byte when no state governs it, and audits it once', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router', 'aggregator'] })
    // Given a sender whose JSON has its own field order and spacing
    const raw = '{ "strategy":"m","order_id":"o-1","ts":1,"account_id":"1","symbol":"AAPL","side":"BUY","qty":1,"price":2 }'
    driver.pipeRaw(ORDERS, '1', raw)
    // Then the gated copy is the record as it came, and one ALLOW is audited
    expect(driver.records(ORDERS_GATED).map((r) => r.value?.toString())).toEqual([raw])
    expect(decisions(driver)).toEqual(['o-1:ALLOW'])
  })

  it('drops every order of a killed scope in any spelling, and only those', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router', 'aggregator'] })
    driver.send(operator('SYMBOL:tsla', 'KILL'))
    driver.send(operator('ACCOUNT:42', 'KILL'))
    driver.pipe(ORDERS, anOrder({ order_id: 'a', symbol: ' Tsla ', account_id: '7' }))
    driver.pipe(ORDERS, anOrder({ order_id: 'b', symbol: 'ＴＳＬＡ', account_id: '7' }))
    driver.pipe(ORDERS, anOrder({ order_id: 'c', account_id: '42' }))
    driver.pipe(ORDERS, anOrder({ order_id: 'd', account_id: '7' }))
    expect(decisions(driver)).toEqual(['a:DROP', 'b:DROP', 'c:DROP', 'd:ALLOW'])
    expect(driver.records(ORDERS_GATED)).toHaveLength(1)
    // The drop names the state that decided it
    const killOfTsla = driver.values(KILL_STATE).find((s) => s.scope === 'SYMBOL:TSLA')!
    expect(driver.values(AUDIT).find((a) => a.order_id === 'a')?.corr_id).toBe(killOfTsla.corr_id)
  })

  it("records in each decision where its order lies on orders.v1, the copy sent again included", () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router', 'aggregator'] })
    for (const id of ['p', 'q', 'p']) driver.pipe(ORDERS, anOrder({ order_id: id, account_id: id === 'q' ? '8' : '7' }))
    const orders = driver.records(ORDERS).map((r) => `${r.partition}:${r.offset}`)
    const audits = driver.values(AUDIT).filter((a) => a.service === 'router')
    expect(audits.map((a) => `${a.order_id}:${a.decision}`)).toEqual(['p:ALLOW', 'q:ALLOW', 'p:DUPLICATE'])
    expect(audits.map((a) => a.order_offset)).toEqual(orders)
    expect(new Set(orders).size).toBe(3)
  })

  it('answers a re-sent order_id with DUPLICATE, across a restart, until the horizon has passed', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router'], duplicateHorizonMs: 60_000 })
    driver.pipe(ORDERS, anOrder({ order_id: 'o-9' }))
    driver.pipe(ORDERS, anOrder({ order_id: 'o-9', qty: 5 }))
    driver.restart('router')
    driver.pipe(ORDERS, anOrder({ order_id: 'o-9' }))
    driver.advance(61_000)
    driver.restart('router')
    driver.pipe(ORDERS, anOrder({ order_id: 'o-9' }))
    expect(decisions(driver)).toEqual(['o-9:ALLOW', 'o-9:DUPLICATE', 'o-9:DUPLICATE', 'o-9:ALLOW'])
    expect(driver.records(ORDERS_GATED)).toHaveLength(2)
  })

  it('keeps a throttle to its cap per second of its own clock', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router', 'aggregator'] })
    driver.send(operator('ACCOUNT:5', 'THROTTLE', { max_orders_per_sec: 2 }))
    for (const id of ['t1', 't2', 't3']) driver.pipe(ORDERS, anOrder({ order_id: id, account_id: '5' }))
    driver.advance(1000)
    driver.pipe(ORDERS, anOrder({ order_id: 't4', account_id: '5' }))
    expect(decisions(driver)).toEqual(['t1:ALLOW', 't2:ALLOW', 't3:DROP', 't4:ALLOW'])
  })

  it('dead-letters what is no order, with the reason, and audits nothing for it', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router'] })
    driver.pipeRaw(ORDERS, 'x', '{"order_id":"o-1"')
    driver.pipeRaw(ORDERS, 'x', JSON.stringify({ ...anOrder(), account_id: 'ab\u200bc' }))
    const letters = driver.values(DEAD_LETTERS)
    expect(letters.map((l) => l.error)).toEqual([expect.stringMatching(/not JSON/), expect.stringMatching(/account_id/)])
    expect(driver.values(AUDIT)).toHaveLength(0)
  })

  it('enforces a state record it cannot read as a KILL of the scope its key names (fail closed)', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router'] })
    driver.pipeRaw(KILL_STATE, 'ACCOUNT:9', '{"scope":"ACCOUNT:9","stat')
    driver.pipe(ORDERS, anOrder({ order_id: 'z', account_id: '9' }))
    driver.restart('router')
    driver.pipe(ORDERS, anOrder({ order_id: 'y', account_id: '9' }))
    expect(decisions(driver)).toEqual(['z:DROP', 'y:DROP'])
  })

  it('lets an unkilled scope through again, with the unkill as the deciding state', () => {
    const driver = new TopologyTestDriver({ startMs: T0, processors: ['router', 'aggregator'] })
    driver.send(operator('ACCOUNT:3', 'KILL'))
    driver.pipe(ORDERS, anOrder({ order_id: 'k1', account_id: '3' }))
    driver.advance(1000)
    const unkill = operator('ACCOUNT:3', 'UNKILL', { ts: T0 + 1000 })
    driver.send(unkill)
    driver.pipe(ORDERS, anOrder({ order_id: 'k2', account_id: '3' }))
    expect(decisions(driver)).toEqual(['k1:DROP', 'k2:ALLOW'])
    expect(driver.values(AUDIT).find((a) => a.order_id === 'k2')?.corr_id).toBe(unkill.corr_id)
  })
})

import { readFileSync } from 'node:fs'
import path from 'node:path'
import { describe, expect, it } from 'vitest'
import { KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS } from '../../topologies/topics.js'
import { fixtureFiles, FIXTURES_DIR } from './fixture/fixture-files.js'

/**
 * The parity fixtures pytest judges the Spark job by are made by the TS code. If this fails after a
 * deliberate change to the detector, the generator or the topology, rewrite them with
 * `npx tsx test/spark/fixture/write-fixtures.ts` and run scripts/spark/test.sh.
 */
describe('the Spark parity fixtures', () => {
  it.each(Object.entries(fixtureFiles()))('%s is what the TypeScript code gives today', (name, text) => {
    expect(readFileSync(path.join(FIXTURES_DIR, name), 'utf8')).toBe(text)
  })

  it('the recorded stream kills every scenario the in-process detector is meant to catch, once per episode', () => {
    const kills = JSON.parse(fixtureFiles()['parity-inprocess-kills.json']!) as {
      scope: string
      metric: string
      value: number
    }[]
    expect(kills.map((k) => `${k.scope} ${k.metric}`)).toEqual([
      'ACCOUNT:slow-1 order_rate_60s',
      'ACCOUNT:fast-1 order_rate_60s',
      'ACCOUNT:12345 order_rate_60s',
      'ACCOUNT:abc-1 order_rate_60s',
      'ACCOUNT:huge-1 notional_60s',
      'ACCOUNT:30001 top_symbol_share',
      `ACCOUNT:len-${'x'.repeat(60)} order_rate_60s`,
      'ACCOUNT:50001 notional_60s',
      'SYMBOL:NVDA symbol_order_rate_60s',
      'ACCOUNT:12345 order_rate_60s',
      'SYMBOL:TSLA symbol_order_rate_60s',
    ])
    expect(kills.every((k) => Number.isFinite(k.value))).toBe(true)
  })

  it('the in-process detector counts none of the records the contract refuses, and every oddly written one', () => {
    const accepted = JSON.parse(fixtureFiles()['parity-accepted-orders.json']!) as {
      scopes: Record<string, { orders: number }>
    }
    expect(accepted.scopes['ACCOUNT:40002']?.orders).toBe(100)
    expect(accepted.scopes['ACCOUNT:ivan-1']?.orders).toBe(100)
    expect(accepted.scopes['ACCOUNT:odd-1']?.orders).toBe(18)
    expect(accepted.scopes[`ACCOUNT:len-${'x'.repeat(61)}`]).toBeUndefined()
  })

  it('the job names the topics topologies/topics.ts declares', () => {
    const python = readFileSync(
      path.resolve(FIXTURES_DIR, '../../../topologies/spark/riskjob/topics.py'),
      'utf8',
    )
    expect(python).toContain(`ORDERS = "${ORDERS}"`)
    expect(python).toContain(`RISK_SIGNALS = "${RISK_SIGNALS}"`)
    expect(python).toContain(`KILL_COMMANDS = "${KILL_COMMANDS}"`)
    expect(python).toContain(`KILL_STATE = "${KILL_STATE}"`)
  })
})

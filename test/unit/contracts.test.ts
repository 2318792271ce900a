import { describe, expect, it } from 'vitest'
import { decodeJson } from '../../src/contracts/decode.js'
import { killCommandSchema, killStateSchema, orderSchema } from '../../src/contracts/messages.js'
import { parseScope } from '../../src/domain/scope.js'
import { TOPICS, findTopic } from '../../topologies/topics.js'

const order = {
  order_id: 'o-1',
  ts: 1764063000000,
  account_id: '12345',
  symbol: 'AAPL',
  side: 'BUY',
  qty: 100,
  price: 189.5,
  strategy: 'momentum',
}

describe('message contracts', () => {
  it('accepts a valid order and names the bad field of an invalid one', () => {
    expect(decodeJson(orderSchema, JSON.stringify(order)).ok).toBe(true)
    const bad = decodeJson(orderSchema, JSON.stringify({ ...order, qty: 1.5, side: 'HOLD' }))
    expect(bad.ok).toBe(false)
    if (!bad.ok) {
      expect(bad.error).toContain('qty')
      expect(bad.error).toContain('side')
    }
    const notJson = decodeJson(orderSchema, '{"order_id":')
    expect(notJson.ok).toBe(false)
  })

  it('normalises scopes and rejects unknown ones with the valid forms', () => {
    expect(parseScope('account:12345')).toMatchObject({ ok: true, text: 'ACCOUNT:12345' })
    expect(parseScope('global')).toMatchObject({ ok: true, text: 'GLOBAL' })
    expect(parseScope('DESK:7').ok).toBe(false)
    const command = decodeJson(
      killCommandSchema,
      JSON.stringify({ cmd_id: 'c', ts: 1, scope: 'REGION:EU', action: 'KILL', reason: 'r', triggered_by: 'op', corr_id: 'k' }),
    )
    expect(command.ok).toBe(false)
    if (!command.ok) expect(command.error).toContain('ACCOUNT:<id>')
  })

  it('requires max_orders_per_sec for a THROTTLE command', () => {
    const base = { cmd_id: 'c', ts: 1, scope: 'GLOBAL', action: 'THROTTLE', reason: 'r', triggered_by: 'op', corr_id: 'k' }
    expect(killCommandSchema.safeParse(base).success).toBe(false)
    expect(killCommandSchema.safeParse({ ...base, max_orders_per_sec: 10 }).success).toBe(true)
  })

  it('rejects an unknown kill status', () => {
    const state = { scope: 'GLOBAL', status: 'PAUSED', updated_ts: 1, updated_by: 'op', reason: '', last_cmd_id: 'c', corr_id: 'k' }
    expect(killStateSchema.safeParse(state).success).toBe(false)
  })

  it('declares the eleven topics with their keys, and compacts only the state, limits, prices and approvals topics', () => {
    expect(TOPICS.map((t) => t.name)).toEqual([
      'orders.v1',
      'risk_signals.v1',
      'killswitch.commands.v1',
      'killswitch.state.v1',
      'orders.gated.v1',
      'audit.v1',
      'dlq.v1',
      'risk_limits.v1',
      'reference_prices.v1',
      'killswitch.approvals.v1',
      'operator_actions.v1',
    ])
    expect(findTopic('operator_actions.v1')?.keyField).toBe('actor')
    expect(findTopic('orders.v1')?.keyField).toBe('account_id')
    expect(findTopic('risk_limits.v1')?.keyField).toBe('scope')
    expect(findTopic('reference_prices.v1')?.keyField).toBe('symbol')
    expect(findTopic('killswitch.state.v1')?.configs['cleanup.policy']).toBe('compact')
    expect(TOPICS.filter((t) => t.cleanupPolicy === 'compact').map((t) => t.name)).toEqual([
      'killswitch.state.v1',
      'risk_limits.v1',
      'reference_prices.v1',
      'killswitch.approvals.v1',
    ])
    expect(findTopic('killswitch.approvals.v1')?.keyField).toBe('request_id')
  })
})

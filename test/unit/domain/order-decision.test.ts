import { describe, expect, it } from 'vitest'
import type { KillState } from '../../../src/domain/kill-status.js'
import { applyCommand } from '../../../src/domain/kill-state.js'
import { RecentIds } from '../../../src/domain/recent-ids.js'
import { KillStateTable } from '../../../src/domain/kill-state-table.js'
import { decideOrder, NO_STATE_REASON, type RoutedOrder } from '../../../src/domain/order-decision.js'
import { ThrottleMeter } from '../../../src/domain/throttle-meter.js'
import { scopesForOrder } from '../../../src/domain/scope.js'

const T = Date.UTC(2024, 2, 9, 12, 0, 0)
let nextOrder = 0

function order(overrides: Partial<RoutedOrder> = {}): RoutedOrder {
  return { order_id: `o-${nextOrder++}`, account_id: '12345', symbol: 'AAPL', strategy: 'momo', ...overrides }
}

function state(scope: string, overrides: Partial<KillState> = {}): KillState {
  return {
    scope,
    status: 'KILLED',
    updated_ts: T,
    updated_by: 'detector',
    reason: `reason for ${scope}`,
    last_cmd_id: `cmd-${scope}`,
    corr_id: `corr-${scope}`,
    ...overrides,
  }
}

function router(states: readonly KillState[] = []) {
  const table = new KillStateTable()
  for (const s of states) table.apply(s)
  const meter = new ThrottleMeter()
  const seen = new RecentIds(1_000)
  return {
    table,
    meter,
    seen,
    decide: (o: RoutedOrder, nowMs = T) => decideOrder(o, table, meter, seen, nowMs),
  }
}

describe('decideOrder', () => {
  it('allows an order no state governs, with no matches and no corr_id', () => {
    const { decide } = router([state('ACCOUNT:other')])
    expect(decide(order())).toEqual({
      decision: 'ALLOW',
      scope_matches: [],
      killswitch_status: 'ACTIVE',
      reason: NO_STATE_REASON,
      corr_id: '',
      check: null,
    })
  })

  it('drops an order of a killed account and names the scope, its reason and its corr_id', () => {
    const { decide } = router([state('ACCOUNT:12345', { reason: 'Order rate breach: 150 orders in 60s' })])
    expect(decide(order())).toEqual({
      decision: 'DROP',
      scope_matches: ['ACCOUNT:12345'],
      killswitch_status: 'KILLED',
      reason: 'KILLED: ACCOUNT:12345 (Order rate breach: 150 orders in 60s)',
      corr_id: 'corr-ACCOUNT:12345',
      check: 'KILL_SWITCH',
    })
  })

  it('leaves other accounts trading while one is killed', () => {
    const { decide } = router([state('ACCOUNT:12345')])
    expect(decide(order({ account_id: '777' })).decision).toBe('ALLOW')
  })

  it.each([
    [['STRATEGY:momo', 'SYMBOL:AAPL', 'ACCOUNT:12345', 'GLOBAL'], 'GLOBAL'],
    [['STRATEGY:momo', 'SYMBOL:AAPL', 'ACCOUNT:12345'], 'ACCOUNT:12345'],
    [['STRATEGY:momo', 'SYMBOL:AAPL'], 'SYMBOL:AAPL'],
    [['STRATEGY:momo'], 'STRATEGY:momo'],
  ])('among killed scopes %j reports %s first', (scopes, expected) => {
    const { decide } = router(scopes.map((scope) => state(scope)))
    const decision = decide(order())
    expect(decision.decision).toBe('DROP')
    expect(decision.reason).toBe(`KILLED: ${expected} (reason for ${expected})`)
    expect(decision.corr_id).toBe(`corr-${expected}`)
  })

  it('lists matched scopes in scopesForOrder order, and only those with state', () => {
    const o = order()
    const { decide } = router([
      state('STRATEGY:momo', { status: 'ACTIVE' }),
      state('GLOBAL', { status: 'ACTIVE' }),
    ])
    const matches = decide(o).scope_matches
    expect(matches).toEqual(['GLOBAL', 'STRATEGY:momo'])
    expect(scopesForOrder(o).filter((scope) => matches.includes(scope))).toEqual(matches)
  })

  it('lets KILLED win over THROTTLED', () => {
    const { decide, meter } = router([
      state('GLOBAL', { status: 'THROTTLED', max_orders_per_sec: 100 }),
      state('SYMBOL:AAPL'),
    ])
    const decision = decide(order())
    expect(decision).toMatchObject({
      decision: 'DROP',
      killswitch_status: 'KILLED',
      corr_id: 'corr-SYMBOL:AAPL',
    })
    expect(meter.used('GLOBAL', 'corr-GLOBAL', T)).toBe(0)
  })

  it('marks a re-sent order_id DUPLICATE before anything else', () => {
    const { decide } = router([state('ACCOUNT:12345')])
    const o = order()
    expect(decide(o).decision).toBe('DROP')
    const again = decide(o)
    expect(again.decision).toBe('DUPLICATE')
    expect(again.reason).toContain(o.order_id)
  })
})

describe('decideOrder with throttles', () => {
  const throttled = (max: number, corr = 'corr-t1') =>
    state('ACCOUNT:12345', { status: 'THROTTLED', max_orders_per_sec: max, corr_id: corr, updated_by: 'ops' })

  it('allows up to the cap in one second and drops the rest', () => {
    const { decide } = router([throttled(3)])
    const decisions = Array.from({ length: 5 }, (_, i) => decide(order(), T + i * 100))
    expect(decisions.map((d) => d.decision)).toEqual(['ALLOW', 'ALLOW', 'ALLOW', 'DROP', 'DROP'])
    expect(decisions.every((d) => d.killswitch_status === 'THROTTLED' && d.corr_id === 'corr-t1')).toBe(true)
    expect(decisions[3]?.reason).toBe('THROTTLED: ACCOUNT:12345 over 3 orders/s')
  })

  it('starts a fresh budget each second', () => {
    const { decide } = router([throttled(2)])
    const at = (ms: number) => decide(order(), ms).decision
    expect([at(T + 100), at(T + 200), at(T + 999)]).toEqual(['ALLOW', 'ALLOW', 'DROP'])
    expect([at(T + 1_000), at(T + 1_500), at(T + 1_999)]).toEqual(['ALLOW', 'ALLOW', 'DROP'])
    expect(at(T + 5_000)).toBe('ALLOW')
  })

  it('does not reopen a spent second for an earlier timestamp', () => {
    const { decide } = router([throttled(1)])
    expect(decide(order(), T + 2_000).decision).toBe('ALLOW')
    expect(decide(order(), T + 1_000).decision).toBe('DROP')
  })

  it('starts a fresh budget when a new throttle replaces the old one', () => {
    const { decide, table } = router([throttled(1, 'corr-old')])
    expect(decide(order(), T).decision).toBe('ALLOW')
    expect(decide(order(), T + 10).decision).toBe('DROP')
    table.apply(throttled(1, 'corr-new'))
    const decision = decide(order(), T + 20)
    expect(decision).toMatchObject({ decision: 'ALLOW', corr_id: 'corr-new' })
  })

  it('does not charge a duplicate against the throttle', () => {
    const { decide, meter } = router([throttled(2)])
    const o = order()
    expect(decide(o).decision).toBe('ALLOW')
    expect(decide(o).decision).toBe('DUPLICATE')
    expect(meter.used('ACCOUNT:12345', 'corr-t1', T)).toBe(1)
    expect(decide(order()).decision).toBe('ALLOW')
  })

  it('needs room under every matching throttle, and charges none for a dropped order', () => {
    const { decide, meter } = router([
      throttled(10),
      state('SYMBOL:AAPL', { status: 'THROTTLED', max_orders_per_sec: 1, corr_id: 'corr-sym' }),
    ])
    expect(decide(order()).decision).toBe('ALLOW')
    const dropped = decide(order())
    expect(dropped).toMatchObject({
      decision: 'DROP',
      reason: 'THROTTLED: SYMBOL:AAPL over 1 orders/s',
      corr_id: 'corr-sym',
    })
    expect(meter.used('ACCOUNT:12345', 'corr-t1', T)).toBe(1)
  })

  it('fails closed on a throttle with no cap', () => {
    const { decide } = router([state('ACCOUNT:12345', { status: 'THROTTLED' })])
    expect(decide(order())).toMatchObject({ decision: 'DROP', killswitch_status: 'THROTTLED' })
  })
})

describe('corr_id linkage kill -> drops -> unkill -> allows', () => {
  it('carries the kill corr_id on drops and the unkill corr_id on later allows', () => {
    const table = new KillStateTable()
    const seenCmds = new RecentIds()
    const current = new Map<string, KillState>()
    const { decide } = (() => {
      const meter = new ThrottleMeter()
      const seen = new RecentIds()
      return { decide: (o: RoutedOrder, nowMs: number) => decideOrder(o, table, meter, seen, nowMs) }
    })()
    const publish = (outcome: ReturnType<typeof applyCommand>) => {
      if (outcome.type !== 'applied') throw new Error(outcome.type)
      current.set(outcome.state.scope, outcome.state)
      seenCmds.add(outcome.state.last_cmd_id)
      table.apply(outcome.state)
    }

    expect(decide(order(), T).corr_id).toBe('')
    publish(
      applyCommand(current, (id) => seenCmds.has(id), {
        cmd_id: 'k1',
        ts: T + 1,
        scope: 'ACCOUNT:12345',
        action: 'KILL',
        reason: 'Order rate breach: 150 orders in 60s',
        triggered_by: 'detector',
        corr_id: 'corr-kill',
      }),
    )
    const drops = [decide(order(), T + 2), decide(order(), T + 3)]
    expect(drops.map((d) => [d.decision, d.corr_id])).toEqual([
      ['DROP', 'corr-kill'],
      ['DROP', 'corr-kill'],
    ])
    publish(
      applyCommand(current, (id) => seenCmds.has(id), {
        cmd_id: 'u1',
        ts: T + 4,
        scope: 'ACCOUNT:12345',
        action: 'UNKILL',
        reason: 'Manual override after investigation',
        triggered_by: 'operator',
        operator: 'demo_operator',
        corr_id: 'corr-unkill',
      }),
    )
    const allowed = decide(order(), T + 5)
    expect(allowed).toEqual({
      decision: 'ALLOW',
      scope_matches: ['ACCOUNT:12345'],
      killswitch_status: 'ACTIVE',
      reason: 'ACTIVE: ACCOUNT:12345 (Manual override after investigation)',
      corr_id: 'corr-unkill',
      check: null,
    })
  })

  it('links an allow to the most recently changed ACTIVE record', () => {
    const { decide } = router([
      state('GLOBAL', { status: 'ACTIVE', updated_ts: T + 50, corr_id: 'corr-global' }),
      state('ACCOUNT:12345', { status: 'ACTIVE', updated_ts: T + 100, corr_id: 'corr-account' }),
      state('SYMBOL:AAPL', { status: 'ACTIVE', updated_ts: T + 10, corr_id: 'corr-symbol' }),
    ])
    expect(decide(order()).corr_id).toBe('corr-account')
  })
})

describe('KillStateTable', () => {
  it('keeps the latest state per scope and lists kills GLOBAL first', () => {
    const table = new KillStateTable()
    table.apply(state('ACCOUNT:1'))
    table.apply(state('SYMBOL:AAPL', { status: 'THROTTLED', max_orders_per_sec: 3 }))
    table.apply(state('GLOBAL'))
    table.apply(state('ACCOUNT:2'))
    table.apply(state('ACCOUNT:2', { status: 'ACTIVE' }))
    expect(table.size).toBe(4)
    expect(table.get('ACCOUNT:2')?.status).toBe('ACTIVE')
    expect(table.activeKills().map((s) => s.scope)).toEqual(['GLOBAL', 'ACCOUNT:1'])
  })

  it('forgets a scope on a tombstone and ignores a scope that does not parse', () => {
    const table = new KillStateTable()
    table.apply(state('GLOBAL'))
    table.apply(state('STRATEGY:momo'))
    expect(table.remove('GLOBAL')).toBe(true)
    expect(table.remove('STRATEGY:momo')).toBe(true)
    expect(table.remove('GLOBAL')).toBe(false)
    expect(table.size).toBe(0)
    expect(table.apply(state('nonsense'))).toBe(false)
    expect(table.size).toBe(0)
  })
})

describe('decideOrder at scale', () => {
  it('drops exactly the killed accounts among 200k orders with 1,000 kills in the table', () => {
    const states = Array.from({ length: 1_000 }, (_, i) => state(`ACCOUNT:k${i}`))
    const { table, meter } = router(states)
    const seen = new RecentIds(100_000)
    const orders = Array.from({ length: 200_000 }, (_, i) =>
      order({ order_id: `p-${i}`, account_id: i % 10 === 0 ? `k${i % 1_000}` : `acct${i % 5_000}` }),
    )
    let dropped = 0
    for (const o of orders) if (decideOrder(o, table, meter, seen, T).decision === 'DROP') dropped++
    // Speed is measured in `npm run bench`, not asserted here.
    expect(dropped).toBe(20_000)
  })
})

import { describe, expect, it } from 'vitest'
import { activeKills, creditStandings, EMPTY_DASHBOARD, reduceDashboard } from '../../../src/tui/dashboard.js'
import { TailView } from '../../../src/tui/tail-view.js'
import { audit, command, creditWarning, order, state, tailRecord, tombstone } from './records.js'

const reduceAll = (records: Parameters<typeof reduceDashboard>[1][]) =>
  records.reduce(reduceDashboard, EMPTY_DASHBOARD)

describe('reduceDashboard', () => {
  it('lists the scopes whose latest state is KILLED or THROTTLED', () => {
    const dashboard = reduceAll([
      state('ACCOUNT:12345', 'KILLED'),
      state('SYMBOL:GME', 'THROTTLED'),
      state('ACCOUNT:777', 'KILLED'),
      state('ACCOUNT:777', 'ACTIVE'),
      state('GLOBAL', 'ACTIVE'),
    ])
    expect(activeKills(dashboard)).toEqual([
      { scope: 'ACCOUNT:12345', status: 'KILLED' },
      { scope: 'SYMBOL:GME', status: 'THROTTLED' },
    ])
  })

  it('forgets a scope deleted by a tombstone, and ignores commands and unreadable states', () => {
    const dashboard = reduceAll([
      state('ACCOUNT:1', 'KILLED'),
      tombstone('ACCOUNT:1'),
      command('ACCOUNT:2', 'KILL'),
      { ...state('ACCOUNT:3', 'KILLED'), value: 'not json' },
    ])
    expect(activeKills(dashboard)).toEqual([])
  })

  it('counts allowed and dropped decisions from the audit trail only', () => {
    const dashboard = reduceAll([
      audit('ALLOW'),
      audit('DROP'),
      audit('DROP'),
      audit('DUPLICATE'),
      audit('REFUSED'),
      order('1'),
    ])
    expect(dashboard.allowed).toBe(1)
    expect(dashboard.dropped).toBe(2)
  })

  it("keeps each account's highest credit step of the newest trading day, and ignores the detector's signals", () => {
    const day1 = 1_764_025_200_000
    const day2 = day1 + 86_400_000
    const dashboard = reduceAll([
      creditWarning('A', 50, day1),
      creditWarning('A', 90, day1),
      creditWarning('B', 75, day1),
      // Out of order across partitions: a lower step read after a higher one changes nothing.
      creditWarning('A', 75, day1),
      creditWarning('C', 50, day2),
      tailRecord('risk_signals.v1', { ts: 1, account_id: 'D', window_start: 0, window_end: 1, order_count: 9 }, 'D'),
      tailRecord('risk_signals.v1', { signal: 'CREDIT_WARNING', account_id: 'E', percent: 'lots', day_start: day2 }, 'E'),
      tailRecord('risk_signals.v1', 'not json', 'F'),
    ])
    // Day 2 has begun: only its warnings describe an account's line now.
    expect(creditStandings(dashboard)).toEqual([{ account: 'C', percent: 50 }])
    const sameDay = reduceAll([creditWarning('A', 50, day1), creditWarning('A', 90, day1), creditWarning('B', 75, day1), creditWarning('C', 75, day1)])
    expect(creditStandings(sameDay)).toEqual([
      { account: 'A', percent: 90 },
      { account: 'B', percent: 75 },
      { account: 'C', percent: 75 },
    ])
    // An account's new day replaces its old day's step, even a lower one.
    expect(creditStandings(reduceAll([creditWarning('A', 90, day1), creditWarning('A', 50, day2)]))).toEqual([{ account: 'A', percent: 50 }])
  })

  it('leaves the state it is given untouched', () => {
    const before = reduceAll([state('ACCOUNT:1', 'KILLED')])
    reduceDashboard(before, state('ACCOUNT:1', 'ACTIVE'))
    expect(activeKills(before)).toEqual([{ scope: 'ACCOUNT:1', status: 'KILLED' }])
  })
})

describe('TailView', () => {
  it('fills the pane of each record topic and the header from state and audit, with rates', () => {
    const view = new TailView({ topics: ['orders.v1', 'audit.v1'], startedAt: 0, rateWindowMs: 2000 })
    for (let t = 0; t < 2000; t += 100) view.ingest(audit('DROP'), t)
    view.ingest(order('1'), 2000)
    // The state topic has no pane here, but still feeds the header.
    view.ingest(state('ACCOUNT:12345', 'KILLED'), 2000)
    const header = view.snapshot(2000)
    expect(view.panes.map((pane) => [pane.topic, pane.count])).toEqual([
      ['orders.v1', 1],
      ['audit.v1', 20],
    ])
    expect(header.kills).toEqual([{ scope: 'ACCOUNT:12345', status: 'KILLED' }])
    expect(header.dropped).toBe(20)
    expect(header.allowed).toBe(0)
    expect(header.droppedPerSec).toBeCloseTo(10, 0)
    expect(header.allowedPerSec).toBe(0)
    expect(view.version).toBe(22)
  })

  it('takes kills read before following into the header without filling a pane', () => {
    const view = new TailView({ topics: ['killswitch.state.v1'], startedAt: 0 })
    view.seedDashboard([state('ACCOUNT:9', 'KILLED')])
    expect(view.snapshot(0).kills).toEqual([{ scope: 'ACCOUNT:9', status: 'KILLED' }])
    expect(view.panes[0]?.count).toBe(0)
  })
})

import { describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../../src/domain/audit-record.js'
import { explain, type ExplanationLinks } from '../../../src/domain/order-explanation.js'

const T = Date.UTC(2026, 11, 7, 10, 0, 0)

function audit(ts: number, overrides: Partial<AuditRecord> = {}): AuditRecord {
  return {
    ts,
    decision: 'DROP',
    order_id: 'o-9',
    account_id: '42',
    symbol: 'AAPL',
    strategy: 'm',
    scope_matches: ['ACCOUNT:42'],
    killswitch_status: 'KILLED',
    reason: 'KILLED: ACCOUNT:42 (runaway)',
    corr_id: 'c-1',
    check: 'KILL_SWITCH',
    service: 'router',
    ...overrides,
  }
}

const at = (topic: string, log_ts: number) => ({ topic, partition: 0, offset: 1, log_ts })

function chain(overrides: Partial<ExplanationLinks> = {}): ExplanationLinks {
  return {
    order_id: 'o-9',
    basis: 'the kill-switch state of ACCOUNT:42 (KILLED), corr_id c-1',
    order: {
      ...at('orders.v1', T + 2_000),
      order: {
        order_id: 'o-9',
        ts: T + 1_990,
        account_id: '42',
        symbol: 'AAPL',
        side: 'BUY',
        qty: 1,
        price: 1,
        strategy: 'm',
      },
    },
    decision: { ...at('audit.v1', T + 2_003), audit: audit(T + 2_003) },
    duplicates: [],
    state: {
      ...at('killswitch.state.v1', T + 20),
      state: {
        scope: 'ACCOUNT:42',
        status: 'KILLED',
        updated_ts: T + 19,
        updated_by: 'detector',
        reason: 'runaway',
        last_cmd_id: 'k-1',
        corr_id: 'c-1',
      },
    },
    applied: {
      ...at('audit.v1', T + 19),
      audit: audit(T + 19, { decision: 'APPLIED', order_id: '', service: 'aggregator' }),
    },
    command: {
      ...at('killswitch.commands.v1', T + 5),
      command: {
        cmd_id: 'k-1',
        ts: T,
        scope: 'ACCOUNT:42',
        action: 'KILL',
        reason: 'runaway',
        triggered_by: 'detector',
        metric: 'order_rate_60s',
        value: 101,
        corr_id: 'c-1',
      },
    },
    breach: {
      metric: 'order_rate_60s',
      value: 101,
      threshold: 100,
      topology: 'topologies/detector.json',
      window_start: T - 60_000,
      window_end: T,
      window_from: 'topology',
      ts: T,
    },
    first_drop: { ...at('audit.v1', T + 30), audit: audit(T + 30, { order_id: 'o-1' }) },
    gaps: [],
    ...overrides,
  }
}

describe('the chain of one order', () => {
  it('times each link from the one before: breach, command, state, first DROP, this order', () => {
    const explained = explain(chain())
    expect(explained.durations).toEqual({
      breach_to_command_ms: 5,
      command_to_state_ms: 15,
      state_to_first_drop_ms: 10,
      breach_to_first_drop_ms: 30,
      first_drop_to_order_ms: 1_973,
      order_to_decision_ms: 3,
    })
    expect(explained.timeline.map((step) => step.kind)).toEqual([
      'breach',
      'command',
      'applied',
      'state',
      'first_drop',
      'order',
      'decision',
    ])
    expect(explained.timeline.map((step) => step.since_previous_ms)).toEqual([0, 5, 14, 1, 10, 1_970, 3])
  })

  it("leaves out what it has no link for, and times the state by the aggregator's audit when compaction took it", () => {
    const explained = explain(chain({ state: undefined, breach: undefined, order: undefined }))
    expect(explained.durations).toEqual({
      command_to_state_ms: 14,
      state_to_first_drop_ms: 11,
      first_drop_to_order_ms: 1_973,
    })
    expect(explained.timeline.map((step) => step.kind)).toEqual([
      'command',
      'applied',
      'first_drop',
      'decision',
    ])
  })

  it('gives an ALLOW no drop durations, and keeps the order of the chain for steps at the same moment', () => {
    const allowed = audit(T + 30, { decision: 'ALLOW', check: null })
    const explained = explain(
      chain({
        decision: { ...at('audit.v1', T + 30), audit: allowed },
        first_drop: undefined,
        order: { ...chain().order!, log_ts: T + 30 },
      }),
    )
    expect(explained.durations.first_drop_to_order_ms).toBeUndefined()
    expect(explained.durations.state_to_first_drop_ms).toBeUndefined()
    expect(explained.timeline.slice(-2).map((step) => step.kind)).toEqual(['order', 'decision'])
  })

  it("takes no duration from a command whose sender's clock disagrees with the aggregator's, and says so", () => {
    const base = chain()
    const fast = explain(chain({ command: { ...base.command!, log_ts: T + 300_000 } }))
    expect(fast.durations.command_to_state_ms).toBeUndefined()
    expect(fast.durations.breach_to_command_ms).toBeUndefined()
    expect(fast.durations.state_to_first_drop_ms).toBe(10)
    expect(fast.gaps.join(' ')).toContain('the command is stamped 5.0 min after the aggregator applied it')
    const slow = explain(chain({ command: { ...base.command!, log_ts: T - 7_200_000 } }))
    expect(slow.durations.command_to_state_ms).toBeUndefined()
    expect(slow.gaps.join(' ')).toContain('before the aggregator applied it')
  })

  it('puts a copy sent again after the decision, as a DUPLICATE', () => {
    const copy = {
      ...at('audit.v1', T + 9_000),
      audit: audit(T + 9_000, { decision: 'DUPLICATE', corr_id: '' }),
    }
    const explained = explain(chain({ duplicates: [copy] }))
    expect(explained.timeline.at(-1)).toMatchObject({ kind: 'duplicate', since_previous_ms: 6_997 })
  })
})

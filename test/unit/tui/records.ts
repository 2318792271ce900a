import type { TailRecord } from '../../../src/services/tail.js'
import { anOrder } from '../../helpers/fixtures.js'

/** TailRecords as the view receives them, with only what a test cares about spelled out. */
let offset = 0

export function tailRecord(
  topic: string,
  value: unknown,
  key: string | null = null,
  timestamp = 1_764_063_000_000,
): TailRecord {
  offset += 1
  return { topic, partition: 0, offset, key, timestamp, value }
}

export const order = (account: string, extra: Record<string, unknown> = {}): TailRecord =>
  tailRecord(
    'orders.v1',
    { ...anOrder({ order_id: `o-${offset}`, ts: 1, account_id: account }), ...extra },
    account,
  )

export const audit = (decision: string, account = '12345'): TailRecord =>
  tailRecord(
    'audit.v1',
    {
      ts: 1,
      decision,
      order_id: `o-${offset}`,
      account_id: account,
      symbol: 'AAPL',
      strategy: 'momentum',
      scope_matches: [`ACCOUNT:${account}`],
      killswitch_status: decision === 'DROP' ? 'KILLED' : 'ACTIVE',
      reason: decision === 'DROP' ? `Kill switch active for ACCOUNT:${account}` : 'no active kill',
      corr_id: 'corr-1',
      service: 'router',
    },
    `o-${offset}`,
  )

export const state = (scope: string, status: string): TailRecord =>
  tailRecord(
    'killswitch.state.v1',
    {
      scope,
      status,
      updated_ts: 1,
      updated_by: 'alice',
      reason: 'drill',
      last_cmd_id: 'c1',
      corr_id: 'corr-c1',
    },
    scope,
  )

export const tombstone = (scope: string): TailRecord => tailRecord('killswitch.state.v1', null, scope)

export const command = (scope: string, action: string): TailRecord =>
  tailRecord(
    'killswitch.commands.v1',
    {
      cmd_id: 'c1',
      ts: 1,
      scope,
      action,
      reason: 'runaway algo',
      triggered_by: 'operator',
      operator: 'alice',
      corr_id: 'corr-c1',
    },
    scope,
  )

export const creditWarning = (account: string, percent: number, dayStart = 1_764_025_200_000): TailRecord =>
  tailRecord(
    'risk_signals.v1',
    {
      ts: dayStart + 3_600_000,
      signal: 'CREDIT_WARNING',
      account_id: account,
      percent,
      used_notional: percent * 1000,
      credit_limit: 100_000,
      day_start: dayStart,
    },
    account,
  )

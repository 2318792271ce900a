import { expect } from 'vitest'
import { waitFor } from './pipeline.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { ReconcileReport } from '../../src/services/reconcile.js'
import { runaway, type Cli } from './cli-session.js'

async function reconcileJson(
  cli: Cli,
  args: readonly string[] = [],
): Promise<{ exitCode: number; report: ReconcileReport }> {
  const result = await cli(['reconcile', '--from', '1h', ...args, '--json'])
  return { exitCode: result.exitCode, report: JSON.parse(result.stdout) as ReconcileReport }
}

/** With `riskctl up` running: a runaway killed among normal flow and a record that is no order, all of it balanced. */
export async function balancesALiveRun(cli: Cli): Promise<void> {
  const normal = cli(['generate', '--mode', 'normal', '--rate', '40', '--duration', '4', '--seed', '21'])
  await runaway(cli, 22)
  expect((await normal).exitCode).toBe(0)
  expect((await cli(['produce', 'orders.v1', '--no-validate'], '{"order_id": "half-writ\n')).exitCode).toBe(0)
  const { exitCode, report } = await waitFor('every order decided', async () => {
    const run = await reconcileJson(cli)
    return run.report.orders === 160 + 200 + 1 && run.report.pending === 0 ? run : undefined
  })
  expect(exitCode).toBe(0)
  expect(report).toMatchObject({ balanced: true, decided: 360, dead_lettered: 1, breaks: [] })
  expect(report.by_decision.DROP).toBeGreaterThan(50)
  expect(report.gated).toBe(report.by_decision.ALLOW)
  expect(report.by_scope[0]).toMatchObject({ scope: 'ACCOUNT:12345', dropped: report.by_decision.DROP })
  const text = await cli(['reconcile', '--from', '1h'])
  expect(text.exitCode).toBe(0)
  expect(text.stdout).toMatch(/^BALANCED/)
  expect(text.stdout).toContain('orders 361 = decided 360 + dead-lettered 1 + pending 0')
}

/**
 * With only the aggregator running, what a broken or hostile router might leave behind, written by hand: an ALLOW of
 * a killed account's order, the same order decided twice, a forward nobody allowed, and a record that is no audit.
 */
export async function findsEveryBreak(cli: Cli): Promise<void> {
  expect((await cli(['kill', 'ACCOUNT:666', '--reason', 'desk call'])).exitCode).toBe(0)
  // Past the grace given below: the router would have had the KILL for a while.
  await new Promise((resolve) => setTimeout(resolve, 300))
  const order = {
    order_id: 'rogue-1',
    ts: Date.now(),
    account_id: '666',
    symbol: 'AAPL',
    side: 'BUY',
    qty: 10,
    price: 190.5,
    strategy: 'manual',
  }
  expect((await cli(['produce', 'orders.v1'], `${JSON.stringify(order)}\n`)).exitCode).toBe(0)
  const tail = await cli(['tail', 'orders.v1', '--from', 'beginning', '--no-follow', '--format', 'json'])
  const placed = tail.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { partition: number; offset: number; value: { order_id: string } })
  const at = placed.find((record) => record.value.order_id === 'rogue-1')!
  const allow: AuditRecord = {
    ts: Date.now(),
    decision: 'ALLOW',
    order_id: 'rogue-1',
    account_id: '666',
    symbol: 'AAPL',
    strategy: 'manual',
    scope_matches: [],
    killswitch_status: 'ACTIVE',
    reason: 'no kill switch state for this order',
    corr_id: '',
    check: null,
    order_offset: `${at.partition}:${at.offset}`,
    service: 'router',
  }
  const audits = `${JSON.stringify(allow)}\n${JSON.stringify({ ...allow, ts: allow.ts + 1 })}\n`
  expect((await cli(['produce', 'audit.v1'], audits)).exitCode).toBe(0)
  expect((await cli(['produce', 'audit.v1', '--no-validate'], '{"ts": 1, "decision": "ALL\n')).exitCode).toBe(
    0,
  )
  const never = { ...order, order_id: 'never-decided-1' }
  expect(
    (await cli(['produce', 'orders.gated.v1'], `${JSON.stringify(order)}\n${JSON.stringify(never)}\n`))
      .exitCode,
  ).toBe(0)

  const { exitCode, report } = await reconcileJson(cli, ['--grace', '100'])
  expect(exitCode).toBe(5)
  expect(report.balanced).toBe(false)
  const found = report.breaks.map((b) => `${b.kind} ${b.order_id ?? '-'}`).sort()
  // Two ALLOWs of one order and one forward: decided twice, and one of them not forwarded.
  expect(found).toEqual([
    'ALLOW_AFTER_KILL rogue-1',
    'ALLOW_NOT_GATED rogue-1',
    'DAMAGED_RECORD -',
    'DECIDED_TWICE rogue-1',
    'GATED_NOT_ALLOWED never-decided-1',
  ])
  expect(report.breaks.find((b) => b.kind === 'ALLOW_AFTER_KILL')?.detail).toContain('ACCOUNT:666 was KILLED')
  const text = await cli(['reconcile', '--from', '1h', '--grace', '100'])
  expect(text.exitCode).toBe(5)
  expect(text.stdout).toMatch(/^DOES NOT BALANCE/)
  expect(text.stdout).toMatch(/ALLOW_AFTER_KILL\s+rogue-1\s+audit\.v1 \d+:\d+/)
  // An ALLOW of an order that was never on orders.v1, and its forward: a decision without an order.
  const ghost = { ...allow, order_id: 'ghost-1', order_offset: undefined, ts: Date.now() }
  expect((await cli(['produce', 'audit.v1'], `${JSON.stringify(ghost)}\n`)).exitCode).toBe(0)
  expect(
    (await cli(['produce', 'orders.gated.v1'], `${JSON.stringify({ ...order, order_id: 'ghost-1' })}\n`))
      .exitCode,
  ).toBe(0)
  const withGhost = await reconcileJson(cli, ['--grace', '100'])
  expect(withGhost.report.breaks.filter((b) => b.order_id === 'ghost-1').map((b) => b.kind)).toEqual([
    'DECISION_WITHOUT_ORDER',
  ])
  // No router runs here: an order left undecided past the stall bound is a break, not "pending" for ever.
  const lonely = { ...order, order_id: 'lonely-1', ts: Date.now() }
  expect((await cli(['produce', 'orders.v1'], `${JSON.stringify(lonely)}\n`)).exitCode).toBe(0)
  expect(
    (await reconcileJson(cli, ['--grace', '100'])).report.breaks.some(
      (b) => b.kind === 'NOT_DECIDED_IN_TIME',
    ),
  ).toBe(false)
  const stalled = await reconcileJson(cli, ['--grace', '100', '--stall', '0'])
  expect(stalled.report.breaks.find((b) => b.kind === 'NOT_DECIDED_IN_TIME')?.detail).toContain(
    'is a router running?',
  )
  // A period with nothing in it balances trivially, and says there was nothing.
  const empty = await cli(['reconcile', '--from', '2000-01-01T00:00:00Z', '--to', '2000-01-02T00:00:00Z'])
  expect(empty.exitCode).toBe(0)
  expect(empty.stdout).toContain('No order was appended to orders.v1 in this period.')
}

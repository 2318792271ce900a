import { expect } from 'vitest'
import { waitFor } from './pipeline.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { OrderExplanation } from '../../src/domain/order-explanation.js'
import { runaway, type Cli } from './cli-session.js'

async function json<T>(cli: Cli, args: readonly string[]): Promise<T> {
  const result = await cli([...args, '--json'])
  if (result.exitCode !== 0)
    throw new Error(`riskctl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`)
  return JSON.parse(result.stdout) as T
}

/**
 * A runaway killed by the detector, then one of its dropped orders explained: every link of the chain is on the
 * log, in order, and agrees with the others.
 */
export async function explainsADetectorKill(cli: Cli): Promise<void> {
  await runaway(cli, 12)
  const [dropped] = await waitFor('a DROP of 12345', async () => {
    const drops = await json<AuditRecord[]>(cli, [
      'audit',
      '--account',
      '12345',
      '--decision',
      'DROP',
      '--limit',
      '1',
    ])
    return drops.length > 0 ? drops : undefined
  })
  const killed = (await json<KillState[]>(cli, ['state'])).find((state) => state.scope === 'ACCOUNT:12345')!

  const explained = await json<OrderExplanation>(cli, ['explain', dropped!.order_id])
  expect(explained.order_id).toBe(dropped!.order_id)
  expect(explained.decision.audit).toMatchObject({
    decision: 'DROP',
    check: 'KILL_SWITCH',
    corr_id: killed.corr_id,
  })
  expect(explained.basis).toContain('ACCOUNT:12345 (KILLED)')
  // The order as it lay on orders.v1, where the router said it read it.
  expect(explained.order?.order).toMatchObject({ order_id: dropped!.order_id, account_id: '12345' })
  expect(`${explained.order?.partition}:${explained.order?.offset}`).toBe(
    explained.decision.audit.order_offset,
  )
  expect(explained.order?.topic).toBe('orders.v1')
  // The state record that decided it, the command that made it, and the detector's breach behind the command.
  expect(explained.state?.state).toMatchObject({
    scope: 'ACCOUNT:12345',
    status: 'KILLED',
    corr_id: killed.corr_id,
    last_cmd_id: killed.last_cmd_id,
  })
  expect(explained.state?.topic).toBe('killswitch.state.v1')
  expect(explained.command?.command).toMatchObject({
    action: 'KILL',
    triggered_by: 'detector',
    metric: 'order_rate_60s',
    cmd_id: killed.last_cmd_id,
  })
  expect(explained.applied?.audit).toMatchObject({
    decision: 'APPLIED',
    corr_id: killed.corr_id,
    service: 'aggregator',
  })
  expect(explained.breach).toMatchObject({ metric: 'order_rate_60s', threshold: 100, window_from: 'signal' })
  expect(explained.breach!.value).toBeGreaterThan(explained.breach!.threshold!)
  expect(explained.breach!.window_end - explained.breach!.window_start).toBe(60_000)
  expect(explained.breach!.signal?.value.account_id).toBe('12345')
  // The first order the kill stopped came no later than this one, under the same state.
  expect(explained.first_drop?.audit).toMatchObject({
    decision: 'DROP',
    account_id: '12345',
    corr_id: killed.corr_id,
  })
  expect(explained.first_drop!.audit.ts).toBeLessThanOrEqual(explained.decision.audit.ts)
  const { durations } = explained
  for (const name of [
    'breach_to_command_ms',
    'command_to_state_ms',
    'state_to_first_drop_ms',
    'breach_to_first_drop_ms',
    'first_drop_to_order_ms',
  ] as const) {
    expect(durations[name], name).toBeGreaterThanOrEqual(0)
  }
  expect(durations.breach_to_first_drop_ms).toBeLessThan(30_000)
  const times = explained.timeline.map((step) => step.at)
  expect(times).toEqual([...times].sort((a, b) => a - b))
  expect(explained.timeline.map((step) => step.kind)).toEqual(
    expect.arrayContaining(['breach', 'command', 'state', 'first_drop', 'order', 'decision']),
  )
  expect(explained.gaps).toEqual([])

  // As a person reads it; and the id spelt another way (full-width, with spaces) is the same order.
  const text = await cli(['explain', ` ${toFullWidth(dropped!.order_id)} `])
  expect(text.exitCode).toBe(0)
  expect(text.stdout).toContain(`Order ${dropped!.order_id}: DROP`)
  expect(text.stdout).toMatch(/breach\s+order_rate_60s \d+ \(threshold 100/)
  expect(text.stdout).toMatch(/command\s+KILL ACCOUNT:12345 by detector/)
  expect(text.stdout).toContain('first DROP')
  expect(text.stdout).toMatch(/Durations: breach → command \d+ ms/)
  const newestFirst = await cli(['explain', dropped!.order_id, '--newest-first'])
  const kinds = (output: string) =>
    output
      .split('\n')
      .filter((line) => /^ {2}\d{4}-/.test(line))
      .map((line) => line.slice(2, 26))
  expect(kinds(newestFirst.stdout)).toEqual(kinds(text.stdout).reverse())
}

/**
 * An operator's kill, an order of the killed account, and the same order sent again. `operator` is the identity the
 * log authenticates the kill as (local:<user> on the embedded log, unverified:<user> on Kafka without SASL).
 */
export async function explainsAnOperatorKillAndADuplicate(cli: Cli, operator: string): Promise<void> {
  const kill = await cli(['kill', 'ACCOUNT:777', '--reason', 'desk call'])
  expect(kill.exitCode).toBe(0)
  const order = JSON.stringify({
    order_id: 'desk-777-1',
    ts: Date.now(),
    account_id: '777',
    symbol: 'AAPL',
    side: 'BUY',
    qty: 10,
    price: 190.5,
    strategy: 'manual',
  })
  expect((await cli(['produce', 'orders.v1'], `${order}\n`)).exitCode).toBe(0)
  expect((await cli(['produce', 'orders.v1'], `${order}\n`)).exitCode).toBe(0)
  await waitFor('both copies decided', async () => {
    const audits = await json<AuditRecord[]>(cli, ['audit', '--account', '777', '--limit', '10'])
    return audits.length >= 2 ? audits : undefined
  })
  const explained = await json<OrderExplanation>(cli, ['explain', 'desk-777-1'])
  expect(explained.decision.audit).toMatchObject({ decision: 'DROP', account_id: '777' })
  expect(explained.command?.command).toMatchObject({
    action: 'KILL',
    scope: 'ACCOUNT:777',
    reason: 'desk call',
    operator,
  })
  expect(explained.breach).toBeUndefined()
  expect(explained.duplicates.map((copy) => copy.audit.decision)).toEqual(['DUPLICATE'])
  expect(explained.first_drop?.audit.order_id).toBe('desk-777-1')
  expect(explained.durations.first_drop_to_order_ms).toBe(0)
  const text = await cli(['explain', 'desk-777-1'])
  expect(text.stdout).toContain(`KILL ACCOUNT:777 by ${operator}: desk call`)
  expect(text.stdout).toMatch(/again\s+DUPLICATE of desk-777-1 again/)
}

/** What explain says of an order it has no decision of, and of text that is no order_id. */
export async function refusesWhatItCannotExplain(cli: Cli): Promise<void> {
  const unknown = await cli(['explain', 'never-sent-1'])
  expect(unknown.exitCode).toBe(5)
  expect(unknown.stderr).toContain('No decision of order never-sent-1 is in the audit trail')
  expect(unknown.stderr).toContain('riskctl audit')
  const unknownJson = await cli(['explain', 'never-sent-1', '--json'])
  expect(unknownJson.exitCode).toBe(5)
  expect(JSON.parse(unknownJson.stdout)).toMatchObject({ error: { code: 'RISKCTL_ORDER_NOT_FOUND' } })
  const invalid = await cli(['explain', 'two words'])
  expect(invalid.exitCode).toBe(2)
  expect(invalid.stderr).toContain('Not an order_id')
}

function toFullWidth(text: string): string {
  return [...text]
    .map((char) => (char >= '!' && char <= '~' ? String.fromCharCode(char.charCodeAt(0) + 0xfee0) : char))
    .join('')
}

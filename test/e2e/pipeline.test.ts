import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { Order } from '../../src/domain/order.js'
import { createTempDir, runCli } from '../helpers/cli.js'
import { cliJson, readTopic, startUp, waitFor, type RunningUp } from '../helpers/pipeline.js'

describe('the kill-switch loop, driven through the real CLI in separate processes', { timeout: 120_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let up: RunningUp | undefined

  beforeEach(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
  })
  afterEach(async () => {
    up?.process.kill('SIGKILL')
    await up?.process
    up = undefined
    await dir.remove()
  })

  const stateOf = async (scope: string) =>
    (await cliJson<KillState[]>(['state'], dataDir)).find((state) => state.scope === scope)

  it('kills the runaway account only, drops its orders, and restores it on unkill, linked by corr_id', async () => {
    up = await startUp(dataDir)
    const normal = runCli(['generate', '--mode', 'normal', '--rate', '40', '--duration', '6', '--seed', '11'], { dataDir })
    const panic = await runCli(['generate', '--mode', 'panic', '--account', '12345', '--rate', '50', '--duration', '4', '--seed', '12'], {
      dataDir,
    })
    expect(panic.exitCode).toBe(0)
    expect((await normal).exitCode).toBe(0)

    const killed = await waitFor('ACCOUNT:12345 KILLED', async () => {
      const state = await stateOf('ACCOUNT:12345')
      return state?.status === 'KILLED' ? state : undefined
    })
    expect(killed.updated_by).toBe('detector')
    expect(killed.reason).toMatch(/^Order rate breach: 101 orders in 60s/)
    const states = await cliJson<KillState[]>(['state'], dataDir)
    expect(states.filter((s) => s.status === 'KILLED').map((s) => s.scope)).toEqual(['ACCOUNT:12345'])

    // Exactly one KILL for the episode, not one per order or per window update.
    const commands = (await readTopic<KillCommand>('killswitch.commands.v1', dataDir)).map((r) => r.value)
    expect(commands.filter((c) => c.action === 'KILL' && c.scope === 'ACCOUNT:12345')).toHaveLength(1)
    expect(commands[0]).toMatchObject({ triggered_by: 'detector', metric: 'order_rate_60s', corr_id: killed.corr_id })

    const audits = await waitFor('every order audited', async () => {
      const records = (await readTopic<AuditRecord>('audit.v1', dataDir)).map((r) => r.value).filter((a) => a.service === 'router')
      return records.length === 240 + 200 ? records : undefined
    })
    const drops = audits.filter((a) => a.decision === 'DROP')
    expect(drops.length).toBeGreaterThan(50)
    expect(drops.every((a) => a.account_id === '12345' && a.corr_id === killed.corr_id)).toBe(true)
    const others = audits.filter((a) => a.account_id !== '12345')
    expect(others).toHaveLength(240)
    expect(others.every((a) => a.decision === 'ALLOW')).toBe(true)
    // No order of 12345 after the 101st reached the market.
    const allowedPanic = audits.filter((a) => a.account_id === '12345' && a.decision === 'ALLOW')
    expect(allowedPanic.length).toBeLessThanOrEqual(101 + 5)
    const gated = (await readTopic<Order>('orders.gated.v1', dataDir)).map((r) => r.value)
    expect(gated).toHaveLength(audits.filter((a) => a.decision === 'ALLOW').length)

    const dropsViaIndex = await cliJson<AuditRecord[]>(['audit', '--account', '12345', '--decision', 'DROP', '--limit', '1000'], dataDir)
    expect(dropsViaIndex).toHaveLength(drops.length)

    const unkill = await runCli(['unkill', 'ACCOUNT:12345', '--reason', 'algo fixed', '--json'], { dataDir })
    expect(unkill.exitCode).toBe(0)
    const restored = JSON.parse(unkill.stdout) as { outcome: string; state: KillState }
    expect(restored.outcome).toBe('confirmed')
    expect(restored.state).toMatchObject({ status: 'ACTIVE', updated_by: `local:${os.userInfo().username}` })

    const after = await runCli(['generate', '--mode', 'panic', '--account', '12345', '--rate', '10', '--duration', '1', '--seed', '13'], {
      dataDir,
    })
    expect(after.exitCode).toBe(0)
    const resumed = await waitFor('ALLOWs for 12345 after the unkill', async () => {
      const records = await cliJson<AuditRecord[]>(['audit', '--corr-id', restored.state.corr_id], dataDir)
      const routed = records.filter((r) => r.service === 'router')
      return routed.length === 10 ? routed : undefined
    })
    expect(resumed.every((a) => a.decision === 'ALLOW' && a.account_id === '12345')).toBe(true)

    up.process.kill('SIGTERM')
    const ended = await up.process
    expect(ended.exitCode).toBe(0)
    expect(up.stderr()).toContain('stopped cleanly')
  })

  it('still drops a killed account after the up process is killed with SIGKILL and restarted', async () => {
    up = await startUp(dataDir)
    const kill = await runCli(['kill', 'ACCOUNT:12345', '--reason', 'drill'], { dataDir })
    expect(kill.exitCode).toBe(0)
    // Orders flow while the process dies: none may be lost or decided twice.
    const flow = runCli(['generate', '--mode', 'normal', '--rate', '200', '--duration', '3', '--seed', '21'], { dataDir })
    await new Promise((resolve) => setTimeout(resolve, 1500))
    up.process.kill('SIGKILL')
    await up.process
    expect((await flow).exitCode).toBe(0)

    up = await startUp(dataDir)
    const order = {
      order_id: 'after-restart-1',
      ts: Date.now(),
      account_id: '12345',
      symbol: 'AAPL',
      side: 'BUY',
      qty: 10,
      price: 190,
      strategy: 'momentum',
    }
    expect((await runCli(['produce', 'orders.v1'], { dataDir, input: JSON.stringify(order) })).exitCode).toBe(0)
    const audit = await waitFor('the audit of the first order after the restart', async () => {
      const records = await cliJson<AuditRecord[]>(['audit', '--account', '12345'], dataDir)
      return records.find((r) => r.order_id === 'after-restart-1')
    })
    expect(audit.decision).toBe('DROP')

    const audits = await waitFor('all 601 orders audited', async () => {
      const records = (await readTopic<AuditRecord>('audit.v1', dataDir)).map((r) => r.value).filter((a) => a.service === 'router')
      return records.length >= 601 ? records : undefined
    })
    const ids = audits.map((a) => a.order_id)
    expect(new Set(ids).size).toBe(ids.length)
    const orders = (await readTopic<Order>('orders.v1', dataDir)).map((r) => r.value.order_id)
    expect([...ids].sort()).toEqual([...orders].sort())
  })

  it('refuses an UNKILL that claims to come from the detector, and audits the refusal', async () => {
    up = await startUp(dataDir, ['--only', 'aggregator,router'])
    expect((await runCli(['kill', 'ACCOUNT:999', '--reason', 'drill'], { dataDir })).exitCode).toBe(0)
    const forged = {
      cmd_id: 'forged-1',
      ts: Date.now(),
      scope: 'ACCOUNT:999',
      action: 'UNKILL',
      reason: 'looks fine to me',
      triggered_by: 'detector',
      corr_id: 'forged-corr',
    }
    const produced = await runCli(['produce', 'killswitch.commands.v1'], { dataDir, input: JSON.stringify(forged) })
    expect(produced.exitCode).toBe(0)
    const refusal = await waitFor('the refusal in the audit trail', async () => {
      const records = await cliJson<AuditRecord[]>(['audit', '--decision', 'REFUSED'], dataDir)
      return records[0]
    })
    expect(refusal).toMatchObject({ corr_id: 'forged-corr', account_id: '999', service: 'aggregator' })
    expect((await stateOf('ACCOUNT:999'))?.status).toBe('KILLED')
  })

  it('dead-letters a malformed order and carries on', async () => {
    up = await startUp(dataDir, ['--only', 'aggregator,router'])
    const input = ['{"order_id": "broken"', JSON.stringify({ order_id: 'ok-1', ts: Date.now(), account_id: '1', symbol: 'AAPL', side: 'BUY', qty: 1, price: 1, strategy: 's' })].join('\n')
    expect((await runCli(['produce', 'orders.v1', '--no-validate'], { dataDir, input })).exitCode).toBe(0)
    const dead = await waitFor('the dead letter', async () => (await readTopic<{ error: string; raw: string }>('dlq.v1', dataDir))[0])
    expect(dead.value.raw).toBe('{"order_id": "broken"')
    expect(dead.value.error).toMatch(/JSON/)
    const audit = await waitFor('the good order audited', async () => (await cliJson<AuditRecord[]>(['audit'], dataDir))[0])
    expect(audit).toMatchObject({ order_id: 'ok-1', decision: 'ALLOW' })
  })

  it('exits 1 with a clear message when no aggregator confirms a kill in time', async () => {
    expect((await runCli(['topics', 'create'], { dataDir })).exitCode).toBe(0)
    const result = await runCli(['kill', 'ACCOUNT:1', '--reason', 'nobody home'], { dataDir, timeoutMs: 20_000 })
    expect(result.exitCode).toBe(1)
    expect(result.stderr).toContain('did not show it within 10 s')
    expect(result.stderr).toContain('riskctl up')
  })

  it('rejects an unknown scope with exit 2 and the valid forms', async () => {
    const result = await runCli(['kill', 'DESK:7', '--reason', 'x'], { dataDir })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('ACCOUNT:<id>')
  })
})

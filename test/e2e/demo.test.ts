import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { ApprovalRecord } from '../../src/domain/approval.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import { createTempDir, runCli, RUN_JS } from '../helpers/cli.js'
import type { LimitsRecord } from '../../src/domain/pretrade/limits-command.js'
import { CREDIT_ACCOUNT, DEMO_CREDIT_LIMIT, FAT_FINGER_ACCOUNT, FAT_FINGER_MAX_NOTIONAL } from '../../src/demo/pretrade-part.js'
import { cliJson, readTopic, startUp } from '../helpers/pipeline.js'

describe('riskctl demo run --auto, in a pseudo-terminal', { timeout: 180_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  beforeEach(async () => {
    dir = await createTempDir()
  })
  afterEach(async () => dir.remove())

  it('runs the whole walkthrough: KILL of 12345, audited drops, and ALLOWs restored by the unkill', async () => {
    const dataDir = path.join(dir.path, 'data')
    // `script` gives the demo a real terminal, as a presenter's would be.
    const result = await execa(
      'script',
      ['-qfec', `node ${RUN_JS} demo run --auto --speed 50 --data-dir ${dataDir}`, '/dev/null'],
      { env: { NO_COLOR: '1', COLUMNS: '120', LINES: '40' }, reject: false, timeout: 120_000, stdin: 'ignore' },
    )
    // The transcript says which part failed and why.
    expect(result.exitCode, result.stdout).toBe(0)
    expect(result.stdout).toContain('Demo finished: 7/7 parts done')

    const commands = (await readTopic<KillCommand>('killswitch.commands.v1', dataDir)).map((r) => r.value)
    const kill = commands.find((c) => c.action === 'KILL' && c.scope === 'ACCOUNT:12345')
    const unkill = commands.find((c) => c.action === 'UNKILL' && c.scope === 'ACCOUNT:12345')
    expect(kill?.triggered_by).toBe('detector')
    expect(unkill?.operator).toBe('demo_operator')

    const drops = await cliJson<AuditRecord[]>(['audit', '--account', '12345', '--decision', 'DROP', '--limit', '10000'], dataDir)
    expect(drops.length).toBeGreaterThan(0)
    expect(drops.every((a) => a.corr_id === kill!.corr_id)).toBe(true)
    const restored = await cliJson<AuditRecord[]>(['audit', '--corr-id', unkill!.corr_id], dataDir)
    expect(restored.length).toBeGreaterThan(0)
    // The unkill itself (the aggregator's APPLIED), then the orders it let through.
    expect(restored.filter((a) => a.service === 'aggregator').map((a) => a.decision)).toEqual(['APPLIED'])
    const routed = restored.filter((a) => a.service === 'router')
    expect(routed.length).toBeGreaterThan(0)
    expect(routed.every((a) => a.decision === 'ALLOW' && a.account_id === '12345')).toBe(true)
    const state = await cliJson<KillState[]>(['state'], dataDir)
    expect(state.find((s) => s.scope === 'ACCOUNT:12345')?.status).toBe('ACTIVE')
  })

  it('long variant: the pre-trade part drops a fat finger, a price outside the collar and an order over the credit line', async () => {
    const dataDir = path.join(dir.path, 'long')
    const result = await runCli(['demo', 'run', '--auto', '--plain', '--variant', 'long', '--speed', '50', '--data-dir', dataDir], {
      timeoutMs: 150_000,
    })
    expect(result.exitCode, result.stdout + result.stderr).toBe(0)
    expect(result.stdout).toMatch(/Demo finished: (\d+)\/\1 parts done/)
    expect(result.stdout).toContain('Pre-trade checks')
    // Part 4 follows one dropped order back to the breach that stopped it.
    expect(result.stdout).toMatch(/riskctl explain p-\S+/)
    expect(result.stdout).toMatch(/breach\s+order_rate_60s \d+ \(threshold 100/)
    expect(result.stdout).toMatch(/Durations: breach → command \d+ ms/)
    // Four eyes: the long variant's UNKILL waits for a second supervisor, who approves it through the console.
    expect(result.stdout).toContain('A second, different supervisor must approve it')
    expect(result.stdout).toMatch(/riskctl approve [0-9a-f]{8} --reason "Fix verified with the desk"/)
    const approvals = (await readTopic<ApprovalRecord>('killswitch.approvals.v1', dataDir)).map((r) => r.value)
    expect(approvals.at(-1)).toMatchObject({ scope: 'ACCOUNT:12345', requested_by: 'demo_operator', status: 'APPROVED', decided_by: 'demo_approver' })
    // Each step prints the command students can retype.
    expect(result.stdout).toContain(`riskctl limits set ACCOUNT:${FAT_FINGER_ACCOUNT} --max-notional ${FAT_FINGER_MAX_NOTIONAL}`)
    expect(result.stdout).toMatch(/echo '\{"order_id":"ff-[^']*' \| riskctl produce orders\.v1/)
    expect(result.stdout).toMatch(/echo '\{"order_id":"collar-[^']*' \| riskctl produce orders\.v1/)
    expect(result.stdout).toContain(`riskctl limits set ACCOUNT:${CREDIT_ACCOUNT} --credit ${DEMO_CREDIT_LIMIT}`)
    expect(result.stdout).toContain(`riskctl audit --check CREDIT_LIMIT --account ${CREDIT_ACCOUNT}`)

    const byCheck = async (check: string, account: string) =>
      cliJson<AuditRecord[]>(['audit', '--check', check, '--account', account, '--limit', '100'], dataDir)
    const fatFinger = await byCheck('MAX_ORDER_NOTIONAL', FAT_FINGER_ACCOUNT)
    expect(fatFinger.map((a) => [a.decision, a.check, a.symbol])).toEqual([['DROP', 'MAX_ORDER_NOTIONAL', 'AAPL']])
    const collar = await byCheck('PRICE_COLLAR', FAT_FINGER_ACCOUNT)
    expect(collar.map((a) => [a.decision, a.check, a.symbol])).toEqual([['DROP', 'PRICE_COLLAR', 'MSFT']])
    const credit = await byCheck('CREDIT_LIMIT', CREDIT_ACCOUNT)
    expect(credit.length).toBeGreaterThan(0)
    expect(credit.every((a) => a.decision === 'DROP' && a.check === 'CREDIT_LIMIT')).toBe(true)
    // The account walked up its line: orders were let through before the first CREDIT_LIMIT drop, and no other check
    // dropped any of its orders (they are valid for the collar, not duplicative, under the message rate).
    const walk = await cliJson<AuditRecord[]>(['audit', '--account', CREDIT_ACCOUNT, '--limit', '1000'], dataDir)
    expect(walk.filter((a) => a.decision === 'ALLOW').length).toBeGreaterThan(1)
    expect(walk.filter((a) => a.decision === 'DROP').every((a) => a.check === 'CREDIT_LIMIT')).toBe(true)
    // The limits went through the real path: on risk_limits.v1, by the demo's operator.
    const limits = (await readTopic<LimitsRecord>('risk_limits.v1', dataDir)).map((r) => r.value)
    expect(limits.find((l) => l.scope === `ACCOUNT:${CREDIT_ACCOUNT}`)?.limits.credit_limit).toBe(DEMO_CREDIT_LIMIT)
    expect(limits.find((l) => l.scope === `ACCOUNT:${FAT_FINGER_ACCOUNT}`)?.limits.max_order_notional).toBe(FAT_FINGER_MAX_NOTIONAL)
    // Set straight on the log, as the identity the log authenticates: the OS user.
    expect(limits.every((l) => l.updated_by === `local:${os.userInfo().username}`)).toBe(true)
    // The walk passed the ladder: the router's credit warnings are on risk_signals.v1 and in the demo's output.
    const warnings = (await readTopic<{ signal?: string; account_id: string; percent: number }>('risk_signals.v1', dataDir))
      .map((r) => r.value)
      .filter((v) => v.signal === 'CREDIT_WARNING' && v.account_id === CREDIT_ACCOUNT)
    expect(warnings.map((w) => w.percent)).toEqual([50, 75, 90])
    expect(result.stdout).toMatch(new RegExp(`CREDIT_WARNING ${CREDIT_ACCOUNT}: 90% of the line`))
  })

  it('attaches to a running riskctl up and drives it through its console', async () => {
    const dataDir = path.join(dir.path, 'attached')
    const up = await startUp(dataDir)
    try {
      const result = await runCli(['demo', 'run', '--attach', '--auto', '--plain', '--variant', 'short', '--speed', '50'], {
        dataDir,
        env: { RISKCTL_API_URL: up.consoleUrl! },
        timeoutMs: 120_000,
      })
      expect(result.stdout).toContain(`attached to the processors on the embedded log in ${dataDir}`)
      expect(result.exitCode).toBe(0)
      expect(result.stdout).toMatch(/Demo finished: (\d+)\/\1 parts done/)
      // The KILL came from the detector inside `up`, and the unkill went through up's console, as the identity of the
      // token the demo was given: up's bootstrap token, the console's admin.
      const commands = (await readTopic<KillCommand>('killswitch.commands.v1', dataDir)).map((r) => r.value)
      expect(commands.find((c) => c.action === 'KILL' && c.scope === 'ACCOUNT:12345')?.triggered_by).toBe('detector')
      expect(commands.find((c) => c.action === 'UNKILL' && c.scope === 'ACCOUNT:12345')?.operator).toBe('console')
    } finally {
      up.process.kill('SIGTERM')
      await up.process
    }
  })

  it('says what is missing when it has no console to attach to', async () => {
    const noUrl = await runCli(['demo', 'run', '--attach', '--auto'], { dataDir: dir.path })
    expect(noUrl.exitCode).toBe(2)
    expect(noUrl.stderr).toContain('RISKCTL_API_URL')
    const nobody = await runCli(['demo', 'run', '--attach', '--auto'], {
      dataDir: dir.path,
      env: { RISKCTL_API_URL: 'http://127.0.0.1:9', RISKCTL_OPERATOR_TOKEN: 'not-a-real-token' },
    })
    expect(nobody.exitCode).toBe(3)
    expect(nobody.stderr).toContain('http://127.0.0.1:9 does not answer')
    expect(nobody.stdout + nobody.stderr).not.toContain('not-a-real-token')
  })

  it('refuses a speed that is not a positive number', async () => {
    const result = await execa('node', [RUN_JS, 'demo', 'run', '--speed', 'fast', '--data-dir', dir.path], {
      env: { NO_COLOR: '1' },
      reject: false,
    })
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain('--speed')
  })
})

import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { ApprovalRecord } from '../../src/domain/approval.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { KillSwitchOutcome } from '../../src/services/kill-switch.js'
import type { ActionTrail } from '../../src/services/operator-actions.js'
import { createTempDir, runCli, type CliResult } from '../helpers/cli.js'
import { addUsers, asUser, stopUp } from '../helpers/console-users.js'
import { cliJson, startUp, waitFor, type RunningUp } from '../helpers/pipeline.js'

/** Four-eyes unkill through the real CLI against `riskctl up --controls` with the policy on. */
describe('four-eyes unkill, through the real CLI', { timeout: 180_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let up: RunningUp
  let tokens: Record<string, string> = {}
  const me = os.userInfo().username

  beforeAll(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
    const controls = path.join(dir.path, 'controls.json')
    fs.writeFileSync(controls, JSON.stringify({ fourEyes: { unkill: true, approvalTimeout: '15s' } }))
    up = await startUp(dataDir, ['--console-port', '0', '--controls', controls])
    expect(up.stderr()).toContain('four eyes: an UNKILL waits')
    tokens = await addUsers(dataDir, [['otto', 'operator'], ['sue', 'supervisor'], ['bob', 'supervisor']])
  })
  afterAll(() => stopUp(up, dir))

  const as = (name: string, args: readonly string[]): Promise<CliResult> => asUser(up, dataDir, tokens[name]!, args)
  const stateOf = async (scope: string) => (await cliJson<KillState[]>(['state'], dataDir)).find((s) => s.scope === scope)

  it('holds an UNKILL until a second supervisor approves it; the asker may not, nor an operator', async () => {
    expect((await runCli(['kill', 'ACCOUNT:1', '--reason', 'runaway'], { dataDir })).exitCode).toBe(0)
    // The bootstrap token is no named person: under four eyes it may not ask either (else it could ask, then approve).
    const unnamed = await runCli(['unkill', 'ACCOUNT:1', '--reason', 'admin', '--api', up.consoleUrl!], { dataDir })
    expect(unnamed.exitCode).toBe(4)
    expect(unnamed.stderr).toContain('is no named person')
    const asked = await as('sue', ['unkill', 'ACCOUNT:1', '--reason', 'fixed', '--json'])
    expect(asked.exitCode, asked.stderr).toBe(0)
    const pending = JSON.parse(asked.stdout) as Extract<KillSwitchOutcome, { outcome: 'pending' }>
    expect(pending).toMatchObject({ outcome: 'pending', request_id: expect.any(String) })
    expect((await stateOf('ACCOUNT:1'))?.status).toBe('KILLED')
    const listed = await cliJson<ApprovalRecord[]>(['approvals', 'list'], dataDir)
    expect(listed.map((r) => [r.request_id, r.scope, r.requested_by, r.status])).toEqual([[pending.request_id, 'ACCOUNT:1', 'sue', 'PENDING']])

    const short = pending.request_id.slice(0, 8)
    const self = await as('sue', ['approve', short, '--reason', 'me'])
    expect(self.exitCode).toBe(4)
    expect(self.stderr).toContain('sue asked for this UNKILL of ACCOUNT:1 and may not approve it')
    const operator = await as('otto', ['approve', short, '--reason', 'me'])
    expect(operator.exitCode).toBe(4)
    expect(operator.stderr).toContain('APPROVE needs the role supervisor')
    expect((await as('bob', ['approve', 'zzzzzzzz', '--reason', 'x'])).exitCode).toBe(2)
    // The bootstrap token is no named person: it may not approve either.
    const bootstrap = await runCli(['approve', short, '--reason', 'admin', '--api', up.consoleUrl!], { dataDir })
    expect(bootstrap.exitCode).toBe(4)
    expect(bootstrap.stderr).toContain('is no named person')

    const approved = await as('bob', ['approve', short, '--reason', 'checked with the desk', '--json'])
    expect(approved.exitCode, approved.stderr).toBe(0)
    expect(JSON.parse(approved.stdout)).toMatchObject({ outcome: 'approved', state: { scope: 'ACCOUNT:1', status: 'ACTIVE', corr_id: listed[0]!.corr_id } })
    expect((await as('bob', ['approve', short, '--reason', 'again'])).exitCode).toBe(5)

    // One corr_id threads the request, the approval and the unkill; the operator-action trail has who did what.
    const thread = await cliJson<{ decision: string; reason: string }[]>(['audit', '--corr-id', listed[0]!.corr_id], dataDir)
    expect(thread.map((a) => a.reason.split(':')[0]).sort()).toEqual(['APPLIED APPROVE ACCOUNT', 'APPLIED UNKILL ACCOUNT', 'PENDING UNKILL ACCOUNT'])
    const trail = await cliJson<ActionTrail>(['audit', '--actions', '--limit', '100'], dataDir)
    expect(trail.actions.filter((a) => a.action === 'APPROVE').map((a) => `${a.actor} ${a.outcome}`).sort()).toEqual([
      'bob ALLOWED',
      'bob INVALID',
      'bob REFUSED',
      'console REFUSED',
      'otto REFUSED',
      'sue REFUSED',
    ])
  })

  it('rejects, and refuses an approval after the expiry; on the log the asker is known by the OS user', async () => {
    expect((await runCli(['kill', 'ACCOUNT:2', '--reason', 'runaway'], { dataDir })).exitCode).toBe(0)
    const first = JSON.parse((await runCli(['unkill', 'ACCOUNT:2', '--reason', 'fixed', '--json'], { dataDir })).stdout) as { request_id: string }
    const rejected = await as('sue', ['reject', first.request_id, '--reason', 'not yet', '--json'])
    expect(rejected.exitCode, rejected.stderr).toBe(0)
    expect(JSON.parse(rejected.stdout)).toMatchObject({ outcome: 'rejected', request: { status: 'REJECTED', decided_by: 'sue', requested_by: `local:${me}` } })

    const second = JSON.parse((await runCli(['unkill', 'ACCOUNT:2', '--reason', 'fixed now', '--json'], { dataDir })).stdout) as { request_id: string }
    // The direct path is this OS user too: it may not approve its own request.
    expect((await runCli(['approve', second.request_id, '--reason', 'me'], { dataDir })).exitCode).toBe(4)
    await waitFor('the request expired', async () => {
      const all = await cliJson<ApprovalRecord[]>(['approvals', 'list', '--all'], dataDir)
      return all.find((r) => r.request_id === second.request_id)?.status === 'EXPIRED' ? true : undefined
    })
    const late = await as('bob', ['approve', second.request_id, '--reason', 'late'])
    expect(late.exitCode).toBe(5)
    expect(late.stderr).toContain('EXPIRED')
    expect((await stateOf('ACCOUNT:2'))?.status).toBe('KILLED')
  })
})

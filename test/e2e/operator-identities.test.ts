import os from 'node:os'
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { KillState } from '../../src/domain/kill-status.js'
import type { OperatorActionRecord } from '../../src/domain/operator-action.js'
import type { ActionTrail } from '../../src/services/operator-actions.js'
import { createTempDir, runCli, type CliResult } from '../helpers/cli.js'
import { addUsers, asUser, stopUp } from '../helpers/console-users.js'
import { cliJson, startUp, type RunningUp } from '../helpers/pipeline.js'

/**
 * Who may do what, through the real CLI against a real `riskctl up`: each role × action through the console, the
 * direct path's identity, and the operator-action trail that `riskctl audit --actions` reads back.
 */
describe('operator identities and the operator-action trail, through the real CLI', { timeout: 180_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let up: RunningUp
  let tokens: Record<string, string> = {}
  const me = os.userInfo().username

  beforeAll(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
    up = await startUp(dataDir)
    tokens = await addUsers(dataDir, [['vera', 'viewer'], ['otto', 'operator'], ['sue', 'supervisor']])
  })
  afterAll(() => stopUp(up, dir))

  const as = (name: string, args: readonly string[]): Promise<CliResult> => asUser(up, dataDir, tokens[name]!, args)

  it('lets each role do what it may and answers exit 4 with the role needed for the rest', async () => {
    // Given: otto (operator) kills ACCOUNT:1.
    const steps: [string, readonly string[], number][] = [
      ['otto', ['kill', 'ACCOUNT:1', '--reason', 'runaway'], 0],
      ['vera', ['kill', 'ACCOUNT:10', '--reason', 'x'], 4],
      ['vera', ['throttle', 'ACCOUNT:11', '--max-orders-per-sec', '5', '--reason', 'x'], 4],
      ['vera', ['limits', 'set', 'ACCOUNT:12', '--max-qty', '5', '--reason', 'x'], 4],
      ['vera', ['unkill', 'ACCOUNT:1', '--reason', 'x'], 4],
      ['otto', ['unkill', 'ACCOUNT:1', '--reason', 'x'], 4],
      ['otto', ['throttle', 'ACCOUNT:2', '--max-orders-per-sec', '5', '--reason', 'slow'], 0],
      ['otto', ['limits', 'set', 'ACCOUNT:3', '--max-qty', '5', '--reason', 'tighter'], 0],
      ['otto', ['limits', 'set', 'ACCOUNT:3', '--max-qty', '50000', '--reason', 'looser'], 4],
      ['sue', ['limits', 'set', 'ACCOUNT:3', '--max-qty', '50000', '--reason', 'looser'], 0],
      ['sue', ['unkill', 'ACCOUNT:1', '--reason', 'fixed'], 0],
    ]
    for (const [name, args, exitCode] of steps) {
      const result = await as(name, args)
      expect(result.exitCode, `${name} ${args.join(' ')}: ${result.stderr}`).toBe(exitCode)
      if (exitCode === 4) expect(result.stderr).toMatch(/needs the role (operator|supervisor); \w+ is (viewer|operator)/)
    }
    // A token that is nobody's: exit 4, and the token is never printed.
    const wrong = `rk1.sue.${'Q'.repeat(43)}`
    const refused = await runCli(['kill', 'ACCOUNT:5', '--reason', 'x', '--api', up.consoleUrl!], { dataDir, env: { RISKCTL_OPERATOR_TOKEN: wrong } })
    expect(refused.exitCode).toBe(4)
    expect(refused.stdout + refused.stderr).not.toContain('Q'.repeat(43))

    // Then: the trail holds each attempt, by whom, allowed or refused.
    const trail = await cliJson<ActionTrail>(['audit', '--actions', '--limit', '100'], dataDir)
    const summary = (a: OperatorActionRecord) => `${a.actor} ${a.action} ${a.scope ?? '-'} ${a.outcome}`
    const seen = trail.actions.map(summary)
    for (const expected of [
      'otto KILL ACCOUNT:1 ALLOWED',
      'vera KILL ACCOUNT:10 REFUSED',
      'vera THROTTLE ACCOUNT:11 REFUSED',
      'vera SET_LIMITS ACCOUNT:12 REFUSED',
      'vera UNKILL ACCOUNT:1 REFUSED',
      'otto UNKILL ACCOUNT:1 REFUSED',
      'otto THROTTLE ACCOUNT:2 ALLOWED',
      'otto SET_LIMITS ACCOUNT:3 ALLOWED',
      'otto SET_LIMITS ACCOUNT:3 REFUSED',
      'sue SET_LIMITS ACCOUNT:3 ALLOWED',
      'sue UNKILL ACCOUNT:1 ALLOWED',
    ]) {
      expect(seen.filter((s) => s === expected), expected).toHaveLength(1)
    }
    expect(trail.actions.find((a) => a.outcome === 'UNAUTHENTICATED')).toMatchObject({ actor: 'unauthenticated', claimed: 'sue', action: 'GET /state' })
    const misused = await runCli(['audit', '--actor', 'vera'], { dataDir })
    expect(misused.exitCode).toBe(2)
    expect(misused.stderr).toContain('--actor filters the operator-action trail: use it with --actions')
    const text = await runCli(['audit', '--actions', '--actor', 'vera'], { dataDir })
    expect(text.exitCode).toBe(0)
    expect(text.stdout.split('\n')[0]).toMatch(/^time +actor +role +from +action +scope +outcome +detail/)
    expect(text.stdout.split('\n').slice(1).filter((line) => line.includes('vera'))).toHaveLength(4)
  })

  it('records the direct path as the OS user the log authenticates, and refuses a typed --operator', async () => {
    const kill = await runCli(['kill', 'ACCOUNT:20', '--reason', 'direct', '--json'], { dataDir })
    expect(kill.exitCode, kill.stderr).toBe(0)
    expect((JSON.parse(kill.stdout) as { state: KillState }).state).toMatchObject({ status: 'KILLED', updated_by: `local:${me}` })
    for (const args of [
      ['unkill', 'ACCOUNT:20', '--reason', 'x', '--operator', 'sue'],
      ['limits', 'set', 'ACCOUNT:20', '--max-qty', '1', '--reason', 'x', '--operator', 'sue'],
    ]) {
      const forged = await runCli(args, { dataDir })
      expect(forged.exitCode).toBe(2)
      expect(forged.stderr).toContain(`--operator is no longer taken: the operator recorded is who the log authenticates (local:${me})`)
    }
    const trail = await cliJson<ActionTrail>(['audit', '--actions', '--actor', me], dataDir)
    expect(trail.actions.map((a) => [a.actor, a.channel, a.action, a.scope, a.outcome])).toEqual([[`local:${me}`, 'cli', 'KILL', 'ACCOUNT:20', 'ALLOWED']])
    expect(trail.actions[0]!.cmd_id).toBe((JSON.parse(kill.stdout) as { command: { cmd_id: string } }).command.cmd_id)
  })
})

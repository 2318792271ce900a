import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { LimitsRecord } from '../../src/domain/pretrade/limits-command.js'
import type { LimitsSetOutcome } from '../../src/services/limits.js'
import { createTempDir, runCli } from '../helpers/cli.js'
import { cliJson, readTopic, startUp, waitFor, type RunningUp } from '../helpers/pipeline.js'

describe('riskctl limits, through the real CLI on the embedded log', { timeout: 120_000 }, () => {
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

  it('sets limits that limits show then shows, and reverts a temporary raise at its expiry', async () => {
    up = await startUp(dataDir)
    const set = await runCli(
      ['limits', 'set', 'account:77', '--max-qty', '500', '--restrict', 'tsla', '--reason', 'new client', '--json'],
      { dataDir },
    )
    expect(set.exitCode, set.stderr).toBe(0)
    const outcome = JSON.parse(set.stdout) as LimitsSetOutcome
    expect(outcome).toMatchObject({ outcome: 'confirmed', record: { scope: 'ACCOUNT:77', limits: { max_order_qty: 500, restricted_symbols: ['TSLA'] } } })

    const shown = await runCli(['limits', 'show'], { dataDir })
    expect(shown.exitCode).toBe(0)
    expect(shown.stdout).toMatch(new RegExp(`ACCOUNT:77 +restricted TSLA · max qty 500 +local:${os.userInfo().username} .* new client`))

    const raise = await runCli(['limits', 'set', 'ACCOUNT:77', '--max-qty', '900', '--expires', '2s', '--reason', 'block trade'], { dataDir })
    expect(raise.exitCode, raise.stderr).toBe(0)
    const reverted = await waitFor('the raise reverted', async () => {
      const [record] = await cliJson<LimitsRecord[]>(['limits', 'show', 'ACCOUNT:77'], dataDir)
      return record?.updated_by === 'aggregator' ? record : undefined
    })
    expect(reverted.limits).toEqual({ max_order_qty: 500, restricted_symbols: ['TSLA'] })
    const commands = (await readTopic<{ action: string }>('killswitch.commands.v1', dataDir)).map((r) => r.value.action)
    expect(commands).toEqual(['SET_LIMITS', 'SET_LIMITS', 'REVERT_LIMITS'])
  })

  it('refuses bad input with exit 2 and the valid forms, before anything is published', async () => {
    expect((await runCli(['topics', 'create'], { dataDir })).exitCode).toBe(0)
    const cases: [string[], RegExp][] = [
      [['SYMBOL:X', '--max-qty', '5', '--reason', 'x'], /GLOBAL \| ACCOUNT:<id>/],
      [['garbage', '--max-qty', '5', '--reason', 'x'], /GLOBAL \| ACCOUNT:<id>/],
      [['ACCOUNT:1', '--max-qty', '-5', '--reason', 'x'], /whole number above 0/],
      [['ACCOUNT:1', '--max-notional', 'lots', '--reason', 'x'], /number above 0/],
      [['ACCOUNT:1', '--max-qty', '5'], /reason/],
      [['ACCOUNT:1', '--reason', 'x'], /Nothing to change/],
      [['ACCOUNT:1', '--max-qty', '5', '--reason', 'x', '--expires', 'soon'], /2h/],
      [['ACCOUNT:1', '--max-qtty', '5', '--reason', 'x'], /max-qtty/],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(['limits', 'set', ...args], { dataDir })
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toMatch(message)
    }
    expect((await runCli(['limits', 'show', 'STRATEGY:s1'], { dataDir })).exitCode).toBe(2)
    expect(await readTopic('killswitch.commands.v1', dataDir)).toEqual([])
  })

  it('sets and shows limits through the operator console with --api, as the operator its token stands for', async () => {
    up = await startUp(dataDir)
    const api = up.consoleUrl!
    const set = await runCli(['limits', 'set', 'ACCOUNT:88', '--max-qty', '250', '--credit', '1000000', '--reason', 'via console', '--api', api, '--json'], { dataDir })
    expect(set.exitCode, set.stderr).toBe(0)
    expect(JSON.parse(set.stdout)).toMatchObject({
      outcome: 'confirmed',
      command: { action: 'SET_LIMITS', scope: 'ACCOUNT:88', operator: 'console' },
      record: { scope: 'ACCOUNT:88', limits: { max_order_qty: 250, credit_limit: 1_000_000 }, updated_by: 'console' },
    })
    const shown = await cliJson<LimitsRecord[]>(['limits', 'show', 'account:88', '--api', api], dataDir)
    expect(shown.map((r) => [r.scope, r.limits.max_order_qty])).toEqual([['ACCOUNT:88', 250]])

    // Bad input is refused here, before any request: exit 2 with the valid forms; a name for the operator too.
    const cases: [string[], RegExp][] = [
      [['ACCOUNT:88', '--max-qty', '-1', '--reason', 'x'], /whole number above 0/],
      [['SYMBOL:X', '--max-qty', '5', '--reason', 'x'], /GLOBAL \| ACCOUNT:<id>/],
      [['ACCOUNT:88', '--max-qty', '5', '--reason', 'x', '--operator', 'mallory'], /--operator is no longer taken: the operator recorded is whoever the bearer token authenticates/],
    ]
    for (const [args, message] of cases) {
      const result = await runCli(['limits', 'set', ...args, '--api', api], { dataDir })
      expect(result.exitCode, args.join(' ')).toBe(2)
      expect(result.stderr, args.join(' ')).toMatch(message)
    }
    // A wrong token is refused by the console: exit 4, nothing published.
    const otherDir = path.join(dir.path, 'elsewhere')
    const denied = await runCli(['limits', 'set', 'ACCOUNT:88', '--max-qty', '5', '--reason', 'x', '--api', api], {
      dataDir: otherDir,
      env: { RISKCTL_OPERATOR_TOKEN: 'not-the-token' },
    })
    expect(denied.exitCode, denied.stderr).toBe(4)
    const commands = (await readTopic<{ action: string; operator: string }>('killswitch.commands.v1', dataDir)).map((r) => r.value)
    expect(commands.map((c) => [c.action, c.operator])).toEqual([['SET_LIMITS', 'console']])
  })
})

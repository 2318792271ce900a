import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import { createAggregator } from '../../src/processors/aggregator.js'
import type { KillSwitchOutcome } from '../../src/services/kill-switch.js'
import { AUDIT, KILL_COMMANDS, KILL_STATE } from '../../topologies/topics.js'
import { createTempDir, runCli, spawnCli } from '../helpers/cli.js'
import { jsonRecord } from '../helpers/json-record.js'
import {
  cliJsonOnKafka,
  createRiskctlTopics,
  kafkaEnv,
  openTestLog,
  readAll,
  resetRiskctlTopics,
  startUpOnKafka,
  stopProcess,
  waitFor,
  type RunningProcess,
} from './support.js'

/**
 * `riskctl kill` publishes its KILL before it reads anything and then waits for the aggregator's answer
 * (ADR 0013). These run the real binary on the broker through what could go wrong between the two.
 */
describe('riskctl kill on Kafka: published first, then confirmed', { timeout: 240_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string
  let up: RunningProcess | undefined

  beforeEach(async () => {
    await resetRiskctlTopics()
    await createRiskctlTopics()
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
  })
  afterEach(async () => {
    await stopProcess(up)
    up = undefined
    await dir.remove()
  })

  const cli = (args: readonly string[]) => runCli(args, { dataDir, env: kafkaEnv(), timeoutMs: 60_000 })
  const spawnKill = (scope: string, ...args: string[]) =>
    spawnCli(['kill', scope, '--reason', 'first', ...args], { dataDir, env: kafkaEnv() })
  const publishedKill = (scope: string) =>
    waitFor(`the KILL of ${scope} on ${KILL_COMMANDS}`, async () => (await readAll<KillCommand>(KILL_COMMANDS)).find((c) => c.scope === scope))
  const stateOf = async (scope: string) => (await cliJsonOnKafka<KillState[]>(['state'], dataDir)).find((s) => s.scope === scope)

  it('with no aggregator running, the KILL is published and the command exits 1 after 10 s, saying so', async () => {
    const started = Date.now()
    const result = await cli(['kill', 'ACCOUNT:nobody', '--reason', 'nobody home', '--json'])
    const elapsedMs = Date.now() - started

    expect(result.exitCode).toBe(1)
    expect(elapsedMs).toBeGreaterThanOrEqual(10_000)
    expect(elapsedMs).toBeLessThan(20_000)
    const { error } = JSON.parse(result.stdout) as { error: { code: string; message: string; suggestions: string[] } }
    expect(error.code).toBe('RISKCTL_NOT_CONFIRMED')
    expect(error.message).toMatch(
      /^The KILL of ACCOUNT:nobody was published \(cmd_id [\w-]+\) but killswitch\.state\.v1 did not show it within 10 s: nothing is enforcing it yet\.$/,
    )
    expect(error.suggestions[0]).toMatch(/riskctl up/)
    expect(await publishedKill('ACCOUNT:nobody')).toMatchObject({ action: 'KILL', operator: expect.any(String), unless_already: true })

    const human = await cli(['kill', 'ACCOUNT:nobody', '--reason', 'still nobody'])
    expect(human.exitCode).toBe(1)
    expect(human.stderr).toContain('did not show it within 10 s: nothing is enforcing it yet.')
    expect(human.stderr).toContain('Try this:')
  })

  it('killed -9 or interrupted after publishing: the KILL stands once an aggregator runs, and a second kill leaves it as it is', async () => {
    // Given no aggregator, one riskctl kill killed -9 and another interrupted, each after it published its KILL…
    const crashed = spawnKill('ACCOUNT:crash')
    const first = await publishedKill('ACCOUNT:crash')
    crashed.kill('SIGKILL')
    expect((await crashed).signal).toBe('SIGKILL')
    const interrupted = spawnKill('ACCOUNT:abort')
    const second = await publishedKill('ACCOUNT:abort')
    interrupted.kill('SIGINT')
    expect((await interrupted).exitCode).toBe(130)

    // …when an aggregator starts, both KILLs are applied, each once.
    up = await startUpOnKafka(dataDir, ['--only', 'aggregator,router'])
    for (const command of [first, second]) {
      const state = await waitFor(`${command.scope} KILLED`, async () => ((await stateOf(command.scope))?.status === 'KILLED' ? stateOf(command.scope) : undefined))
      expect(state).toMatchObject({ last_cmd_id: command.cmd_id, reason: 'first', updated_by: `unverified:${os.userInfo().username}` })
    }

    // Then killing again leaves the scope as it is (its command, reason and operator) and says so.
    const again = await cliJsonOnKafka<KillSwitchOutcome>(['kill', 'ACCOUNT:crash', '--reason', 'second'], dataDir)
    expect(again).toMatchObject({ outcome: 'unchanged', scope: 'ACCOUNT:crash', state: { status: 'KILLED', last_cmd_id: first.cmd_id, reason: 'first' } })
    expect(await stateOf('ACCOUNT:crash')).toMatchObject({ last_cmd_id: first.cmd_id, reason: 'first', updated_by: `unverified:${os.userInfo().username}` })
    const human = await cli(['kill', 'ACCOUNT:crash', '--reason', 'third'])
    expect(human.exitCode).toBe(0)
    expect(human.stdout).toContain('already so: left as it is')
    // Keyed by cmd_id, the audits of three commands lie on any partitions: in the order they were written.
    const trail = (await readAll<AuditRecord>(AUDIT)).filter((a) => a.service === 'aggregator' && a.scope_matches.includes('ACCOUNT:crash')).sort((a, b) => a.ts - b.ts)
    expect(trail.map((a) => a.decision)).toEqual(['APPLIED', 'DUPLICATE', 'DUPLICATE'])
    expect(trail[1]?.reason).toMatch(/ACCOUNT:crash is already KILLED: left as it is/)
  })

  it('a cmd_id reused for another scope, or a replay of the KILL, does not answer for it', async () => {
    // Given no aggregator, riskctl kill of ACCOUNT:victim waiting for its answer…
    const victim = spawnKill('ACCOUNT:victim', '--json')
    const command = await publishedKill('ACCOUNT:victim')
    // …when someone sends its cmd_id and corr_id again for other scopes (on the other state partitions),
    // and replays the KILL itself, before an aggregator (here, in this process: it starts within the 10 s)…
    const log = await openTestLog()
    const stop = new AbortController()
    const aggregating = (async () => {
      // And a state record under another scope carrying its ids, ahead of everything: what a reader trusting the
      // cmd_id alone would take for its answer.
      const forged = { scope: 'ACCOUNT:decoy-b', status: 'KILLED', updated_ts: Date.now(), updated_by: 'mallory', reason: 'forged', last_cmd_id: command.cmd_id, corr_id: command.corr_id }
      await log.produce(KILL_STATE, [jsonRecord(forged.scope, forged)])
      const decoys = ['ACCOUNT:decoy-c', 'ACCOUNT:decoy-a'].map((scope) => jsonRecord(scope, { ...command, scope }))
      await log.produce(KILL_COMMANDS, [...decoys, jsonRecord('ACCOUNT:victim', command)])
      await createAggregator(log).run(stop.signal)
    })()

    // …then the kill is confirmed with its own scope's state, not the decoy's, and not taken for a no-op.
    const result = await victim
    stop.abort()
    await aggregating
    await log.close()
    expect(result.exitCode, result.stderr).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({ outcome: 'confirmed', state: { scope: 'ACCOUNT:victim', status: 'KILLED', last_cmd_id: command.cmd_id } })
    // The other scope's command is a command of its own; the replay changed nothing.
    for (const decoy of ['ACCOUNT:decoy-c', 'ACCOUNT:decoy-a']) expect(await stateOf(decoy)).toMatchObject({ status: 'KILLED', last_cmd_id: command.cmd_id })
    const trail = (await readAll<AuditRecord>(AUDIT)).filter((a) => a.service === 'aggregator' && a.scope_matches.includes('ACCOUNT:victim'))
    expect(trail.map((a) => a.decision)).toEqual(['APPLIED', 'DUPLICATE'])
  })
})

import fs from 'node:fs'
import path from 'node:path'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { KillSwitchOutcome } from '../../src/services/kill-switch.js'
import { AUDIT, KILL_COMMANDS, ORDERS, ORDERS_GATED, REFERENCE_PRICES } from '../../topologies/topics.js'
import { jsonRecord } from '../helpers/json-record.js'
import { createTempDir, runCli, spawnCli, type SpawnedCli } from '../helpers/cli.js'
import { withLimits } from '../helpers/pipeline.js'
import {
  brokerLogMark,
  CREDENTIALS_FILE,
  denials,
  openLogAs,
  PASSWORDS,
  resetSecureTopics,
  secureEnvAs,
  SECURE_BROKERS,
} from './secure-support.js'
import { order, orderRecord, referencePrices, waitFor } from './support.js'

interface Up {
  readonly process: SpawnedCli
  readonly output: () => string
}

/** Every record of a topic to its current end, read as carol, the viewer. */
async function readAs<T>(user: string, topic: string): Promise<T[]> {
  const log = await openLogAs(user)
  try {
    const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
    const ends = await consumer.endOffsets()
    const values: T[] = []
    const done = () => ends.every((end) => (consumer.positions().find((p) => p.partition === end.partition)?.offset ?? 0) >= end.offset)
    while (!done()) for (const record of await consumer.poll({ maxRecords: 5000, maxWaitMs: 200 })) if (record.value) values.push(JSON.parse(record.value.toString()) as T)
    await consumer.close()
    return values
  } finally {
    await log.close()
  }
}

/** What the machine shows of a process: its command line (what ps prints) or its environment; '' once it is gone. */
function shown(pid: number | string, what: 'cmdline' | 'environ'): string {
  try {
    return fs.readFileSync(`/proc/${pid}/${what}`, 'utf8')
  } catch {
    return ''
  }
}

function childrenOf(pid: number): number[] {
  return fs
    .readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((candidate) => {
      try {
        // The field after the command's name (in parentheses, which may hold spaces) is the state, then the parent.
        const stat = fs.readFileSync(`/proc/${candidate}/stat`, 'utf8')
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === pid
      } catch {
        return false
      }
    })
}

describe('riskctl up on the secure broker, each processor as its own user', { timeout: 300_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  let up: Up | undefined

  beforeAll(async () => {
    await resetSecureTopics()
    dir = await createTempDir()
  }, 180_000)
  afterEach(async () => {
    if (up !== undefined && up.process.exitCode === null) {
      up.process.kill('SIGTERM')
      await up.process
    }
    up = undefined
  })
  afterAll(async () => {
    await dir.remove()
  })

  const dataDir = () => path.join(dir.path, 'data')
  /** `up` with no user of its own in the environment: only the credentials file. */
  function startUp(credentials: string, args: readonly string[] = []): Up {
    const child = spawnCli(['up', '--console-port', '0', ...withLimits(args)], {
      dataDir: dataDir(),
      env: { RISKCTL_BROKERS: SECURE_BROKERS.join(','), RISKCTL_KAFKA_CREDENTIALS: credentials },
    })
    let output = ''
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    return { process: child, output: () => output }
  }
  const cliAs = (user: string, args: readonly string[]) => runCli([...args, '--json'], { dataDir: dataDir(), env: secureEnvAs(user), timeoutMs: 60_000 })

  it('routes, kills on the direct path as alice (recorded sasl:alice), refuses the detector\'s forged UNKILL, publishes as the console, and is denied nothing', async () => {
    // Given riskctl up with the credentials file kafka.sh wrote, and the broker's log from here on…
    const mark = brokerLogMark()
    up = startUp(CREDENTIALS_FILE)
    await waitFor('riskctl up ready', () => (up!.output().includes('ready:') ? true : up!.process.exitCode !== null ? Promise.reject(new Error(up!.output())) : undefined))
    // …whose processes hold no password where the machine shows it: not on a command line (ps), not in an environment.
    const upPid = up.process.pid!
    const processes = [upPid, ...childrenOf(upPid)]
    expect(processes.length).toBeGreaterThanOrEqual(4)
    for (const pid of processes) {
      for (const password of PASSWORDS) expect(shown(pid, 'environ'), `the environment of ${pid}`).not.toContain(password)
    }
    for (const pid of fs.readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      for (const password of PASSWORDS) expect(shown(pid, 'cmdline'), `the command line of ${pid}`).not.toContain(password)
    }

    // When the generator sends orders of two accounts and they are let through…
    const generator = await openLogAs('generator')
    await generator.produce(REFERENCE_PRICES, referencePrices())
    await generator.produce(ORDERS, [orderRecord(order('secure-x-1', 'secure-x')), orderRecord(order('secure-y-1', 'secure-y'))])
    const decided = (id: string) => async () => (await readAs<AuditRecord>('carol', AUDIT)).find((a) => a.order_id === id)
    expect(await waitFor('secure-x-1 decided', decided('secure-x-1'))).toMatchObject({ decision: 'ALLOW' })

    // …and alice kills one of them on the direct path, with her own user…
    const killed = await cliAs('alice', ['kill', 'ACCOUNT:secure-x', '--reason', 'runaway on the secure broker'])
    expect(killed.exitCode, killed.stderr).toBe(0)
    expect(JSON.parse(killed.stdout) as KillSwitchOutcome).toMatchObject({ outcome: 'confirmed', state: { status: 'KILLED', updated_by: 'sasl:alice' } })

    // …then the account's next order is dropped and the other's is let through,
    await generator.produce(ORDERS, [orderRecord(order('secure-x-2', 'secure-x')), orderRecord(order('secure-y-2', 'secure-y'))])
    expect(await waitFor('secure-x-2 decided', decided('secure-x-2'))).toMatchObject({ decision: 'DROP', check: 'KILL_SWITCH' })
    expect(await waitFor('secure-y-2 decided', decided('secure-y-2'))).toMatchObject({ decision: 'ALLOW' })
    // The detector's user may write killswitch.commands.v1 (to ask for KILLs), and so can write an UNKILL there that
    // names alice. It cannot write the trail, so nothing vouches for it: refused, and the account stays killed.
    const detector = await openLogAs('detector')
    const forged = { cmd_id: 'forged-unkill-1', ts: Date.now(), scope: 'ACCOUNT:secure-x', action: 'UNKILL', reason: 'let me out', triggered_by: 'operator', operator: 'sasl:alice', corr_id: 'forged-unkill-1' }
    await detector.produce(KILL_COMMANDS, [jsonRecord('ACCOUNT:secure-x', forged)])
    await detector.close()
    const refusal = await waitFor('the forged UNKILL judged', async () => (await readAs<AuditRecord>('carol', AUDIT)).find((a) => a.corr_id === 'forged-unkill-1'))
    expect(refusal).toMatchObject({ decision: 'REFUSED', killswitch_status: 'KILLED' })
    expect(refusal.reason).toContain('no ALLOWED entry for cmd_id forged-unkill-1')
    await generator.produce(ORDERS, [orderRecord(order('secure-x-3', 'secure-x'))])
    expect(await waitFor('secure-x-3 decided', decided('secure-x-3'))).toMatchObject({ decision: 'DROP', check: 'KILL_SWITCH' })
    const gated = (await readAs<{ order_id: string }>('router', ORDERS_GATED)).map((o) => o.order_id)
    expect(gated).toContain('secure-y-2')
    expect(gated).not.toContain('secure-x-2')
    await generator.close()
    // the viewer sees who killed it,
    const states = await cliAs('carol', ['state'])
    expect(states.exitCode, states.stderr).toBe(0)
    expect((JSON.parse(states.stdout) as KillState[]).find((s) => s.scope === 'ACCOUNT:secure-x')).toMatchObject({ status: 'KILLED', updated_by: 'sasl:alice' })

    // and what the console publishes goes out as the console's user (the bootstrap token acts as `console`).
    const consoleUrl = /operator console (http:\/\/\S+)/.exec(up.output())![1]!
    const token = fs.readFileSync(/bootstrap admin token in (\S+)/.exec(up.output())![1]!, 'utf8').trim()
    const response = await fetch(`${consoleUrl}/kill`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ scope: 'ACCOUNT:secure-z', reason: 'through the console' }),
    })
    expect(response.status, await response.clone().text()).toBe(202)
    const consoleKill = (await response.json()) as { cmd_id: string }
    const stateAs = async (user: string) => {
      const result = await cliAs(user, ['state'])
      expect(result.exitCode, result.stderr).toBe(0)
      return JSON.parse(result.stdout) as KillState[]
    }
    const applied = await waitFor('the console\'s KILL applied', async () => (await stateAs('carol')).find((s) => s.last_cmd_id === consoleKill.cmd_id))
    expect(applied).toMatchObject({ scope: 'ACCOUNT:secure-z', status: 'KILLED', updated_by: 'console' })

    // Bob lifts alice's kill and tightens a limit (the aggregator reads the trail's entry of what loosens), and carol
    // reads what a viewer reads: the approvals, the limits and the operator-action trail.
    const unkilled = await cliAs('bob', ['unkill', 'ACCOUNT:secure-x', '--reason', 'fixed'])
    expect(unkilled.exitCode, unkilled.stdout + unkilled.stderr).toBe(0)
    expect(JSON.parse(unkilled.stdout) as KillSwitchOutcome).toMatchObject({ outcome: 'confirmed', state: { status: 'ACTIVE', updated_by: 'sasl:bob' } })
    const tightened = await cliAs('bob', ['limits', 'set', 'ACCOUNT:secure-y', '--max-qty', '50', '--reason', 'tighten'])
    expect(tightened.exitCode, tightened.stdout + tightened.stderr).toBe(0)
    for (const args of [['approvals', 'list'], ['limits', 'show']]) {
      const read = await cliAs('carol', args)
      expect(read.exitCode, `${args.join(' ')}: ${read.stderr}`).toBe(0)
    }
    const trail = await cliAs('carol', ['audit', '--actions', '--actor', 'sasl:alice'])
    expect(trail.exitCode, trail.stderr).toBe(0)
    expect((JSON.parse(trail.stdout) as { actions: { action: string; scope: string; outcome: string }[] }).actions).toContainEqual(
      expect.objectContaining({ action: 'KILL', scope: 'ACCOUNT:secure-x', outcome: 'ALLOWED' }),
    )

    // Nothing the processors, alice or carol did was refused: every grant they needed is there.
    expect(denials(mark())).toEqual([])
    // And no password was printed.
    for (const password of PASSWORDS) expect(up.output() + killed.stdout + killed.stderr + states.stdout).not.toContain(password)
  })

  it('refuses a credentials file others may read (exit 4), or one without a user it needs (exit 2), saying which, never a password', async () => {
    const whole = JSON.parse(fs.readFileSync(CREDENTIALS_FILE, 'utf8')) as { processors: Record<string, unknown> }
    const exposedFile = path.join(dir.path, 'exposed.json')
    fs.writeFileSync(exposedFile, JSON.stringify(whole), { mode: 0o644 })
    fs.chmodSync(exposedFile, 0o644)
    const withoutConsole = path.join(dir.path, 'incomplete.json')
    const { console: _console, ...others } = whole.processors
    fs.writeFileSync(withoutConsole, JSON.stringify({ ...whole, processors: others }), { mode: 0o600 })

    for (const [file, exitCode, code, says] of [
      [exposedFile, 4, 'RISKCTL_SECRET_FILE_EXPOSED', 'readable by others'],
      [withoutConsole, 2, 'RISKCTL_KAFKA_CREDENTIALS_INVALID', 'no user for the console'],
    ] as const) {
      up = startUp(file, ['--json'])
      const result = await up.process
      expect(result.exitCode, up.output()).toBe(exitCode)
      const error = JSON.parse(String(result.stdout).trim().split('\n').at(-1)!) as { error: { code: string; message: string } }
      expect(error.error).toMatchObject({ code, message: expect.stringContaining(says) })
      for (const password of PASSWORDS) expect(up.output()).not.toContain(password)
    }
  })

  it('stops with exit 4 when the broker rejects a processor\'s password, naming the user and not the password', async () => {
    // Given a file whose router password is wrong (the router runs in a process of its own)…
    const whole = JSON.parse(fs.readFileSync(CREDENTIALS_FILE, 'utf8')) as { processors: Record<string, { username: string; password: string }> }
    const wrong = path.join(dir.path, 'wrong-router.json')
    fs.writeFileSync(wrong, JSON.stringify({ ...whole, processors: { ...whole.processors, router: { username: 'router', password: 'wrong-router-password' } } }), { mode: 0o600 })
    // …when up starts, then it stops on its own, as unauthorised.
    up = startUp(wrong, ['--json'])
    const result = await up.process
    expect(result.exitCode, up.output()).toBe(4)
    expect(up.output()).toContain('rejected the SASL credentials of router')
    expect(up.output()).not.toContain('wrong-router-password')
    for (const password of PASSWORDS) expect(up.output()).not.toContain(password)
  })
})

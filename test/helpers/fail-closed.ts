import { readFile } from 'node:fs/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { DeadLetter } from '../../src/domain/dead-letter.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import { createTempDir, runCli, spawnCli, type SpawnedCli } from './cli.js'
import { withLimits } from './pipeline.js'

/**
 * Getting an order past the switch, as an adversary would, through the real CLI in separate processes: the
 * situations that once let orders through, written once and run on the embedded log and on Kafka.
 */
export interface Backend {
  readonly name: string
  /** What a riskctl process needs in its environment besides the data dir (e.g. RISKCTL_BROKERS). */
  readonly env: Record<string, string>
  /** Before each test: a backend with no riskctl topics or groups. */
  reset(): Promise<void>
  readonly readyTimeoutMs: number
}

interface Up {
  readonly process: SpawnedCli
  stderr(): string
}

interface TailRecord<T> {
  readonly partition: number
  readonly offset: number
  readonly key: string | null
  readonly value: T
}

export function describeFailClosed(backend: Backend): void {
  describe(`never fail open (${backend.name})`, { timeout: 240_000 }, () => {
    let dir: { path: string; remove: () => Promise<void> }
    let dataDir: string
    let up: Up | undefined

    beforeEach(async () => {
      await backend.reset()
      dir = await createTempDir('riskctl-failclosed-')
      dataDir = `${dir.path}/data`
    })
    afterEach(async () => {
      await stop()
      await dir.remove()
    })

    const cli = (args: readonly string[], input?: string) =>
      runCli(args, { dataDir, env: backend.env, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) })

    async function json<T>(args: readonly string[]): Promise<T> {
      const result = await cli([...args, '--json'])
      if (result.exitCode !== 0) throw new Error(`riskctl ${args.join(' ')} exited ${result.exitCode}: ${result.stderr}`)
      return JSON.parse(result.stdout) as T
    }

    async function topic<T>(name: string): Promise<TailRecord<T>[]> {
      const result = await cli(['tail', name, '--from', 'beginning', '--no-follow', '--format', 'json'])
      if (result.exitCode !== 0) throw new Error(result.stderr)
      return result.stdout
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => JSON.parse(line) as TailRecord<T>)
    }

    async function start(args: readonly string[] = []): Promise<Up> {
      const child = spawnCli(['up', '--console-port', '0', ...withLimits(args)], { dataDir, env: backend.env })
      let stderr = ''
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString()
      })
      await until('riskctl up ready', () => (stderr.includes('ready:') ? true : child.exitCode !== null ? false : undefined), backend.readyTimeoutMs)
      if (!stderr.includes('ready:')) throw new Error(`riskctl up exited:\n${stderr}`)
      up = { process: child, stderr: () => stderr }
      return up
    }

    async function stop(signal: 'SIGKILL' | 'SIGTERM' = 'SIGKILL'): Promise<void> {
      if (up === undefined) return
      up.process.kill(signal)
      await up.process
      up = undefined
    }

    const order = (id: string, fields: Record<string, unknown> = {}) =>
      JSON.stringify({ order_id: id, ts: Date.now(), account_id: '10001', symbol: 'AAPL', side: 'BUY', qty: 10, price: 100, strategy: 'momentum', ...fields })

    const produce = async (name: string, lines: readonly string[], validate = false) => {
      const result = await cli(['produce', name, ...(validate ? [] : ['--no-validate'])], lines.join('\n'))
      expect(result.exitCode, result.stderr).toBe(0)
    }

    const routerAudits = async () => (await topic<AuditRecord>('audit.v1')).map((r) => r.value).filter((a) => a.service === 'router')
    const auditOf = (orderId: string) =>
      until(`the audit of ${orderId}`, async () => (await routerAudits()).filter((a) => a.order_id === orderId).at(-1))
    const stateOf = async (scope: string) => (await json<KillState[]>(['state'])).find((s) => s.scope === scope)
    const killedBy = (scope: string, by?: string) =>
      until(`${scope} KILLED`, async () => {
        const state = await stateOf(scope)
        return state?.status === 'KILLED' && (by === undefined || state.updated_by === by) ? state : undefined
      })

    it('no spelling, reused cmd_id, incomplete state, absurd value or unnameable id gets an order through', async () => {
      await start()
      // Given a kill typed in lower case, orders for the symbol in every spelling are dropped.
      expect((await cli(['kill', 'SYMBOL:tsla', '--reason', 'halt'])).exitCode).toBe(0)
      expect((await stateOf('SYMBOL:TSLA'))?.status).toBe('KILLED')
      await produce('orders.v1', [order('sp-1', { symbol: 'tsla' }), order('sp-2', { symbol: ' Tsla\t' }), order('sp-3', { symbol: 'ＴＳＬＡ' })])
      for (const id of ['sp-1', 'sp-2', 'sp-3']) expect((await auditOf(id)).decision).toBe('DROP')

      // Two KILLs for different scopes with one cmd_id: both are applied.
      const kill = (scope: string) =>
        JSON.stringify({ cmd_id: 'shared-id', ts: Date.now(), scope, action: 'KILL', reason: 'seed job', triggered_by: 'spark', corr_id: `c-${scope}` })
      await produce('killswitch.commands.v1', [kill('ACCOUNT:777'), kill('ACCOUNT:778')])
      await killedBy('ACCOUNT:777')
      await killedBy('ACCOUNT:778')

      // A state record with only scope and status is enforced, repaired and dead-lettered.
      await produce('killswitch.state.v1', [JSON.stringify({ scope: 'ACCOUNT:555', status: 'KILLED' })])
      await produce('orders.v1', [order('inc-1', { account_id: '555' })])
      expect((await auditOf('inc-1')).decision).toBe('DROP')
      await until('the dead letter of the incomplete state', async () =>
        (await topic<DeadLetter>('dlq.v1')).find((l) => l.value.source_topic === 'killswitch.state.v1' && /incomplete/.test(l.value.error)),
      )
      await until('the alert on the status line', () => (/bad state record/.test(up!.stderr()) ? true : undefined))

      // An UNKILL from a look-alike of an operator name is refused, and says so.
      const forged = JSON.stringify({ cmd_id: 'f-1', ts: Date.now(), scope: 'ACCOUNT:777', action: 'UNKILL', reason: 'x', triggered_by: 'detector\u200b', corr_id: 'forged' })
      await produce('killswitch.commands.v1', [forged])
      const refusal = await until('the refusal', async () => (await topic<AuditRecord>('audit.v1')).map((r) => r.value).find((a) => a.corr_id === 'forged'))
      expect(refusal).toMatchObject({ decision: 'REFUSED', service: 'aggregator' })
      expect((await stateOf('ACCOUNT:777'))?.status).toBe('KILLED')

      // Absurd prices: a notional that would overflow is a breach with a finite value.
      await produce('orders.v1', [1, 2, 3].map((n) => order(`abs-${n}`, { account_id: 'absurd-1', price: 1e300, qty: 1e6 })))
      await killedBy('ACCOUNT:absurd-1', 'detector')
      const absurdKill = (await topic<KillCommand>('killswitch.commands.v1')).map((r) => r.value).find((c) => c.scope === 'ACCOUNT:absurd-1')
      expect(absurdKill).toMatchObject({ metric: 'notional_60s', action: 'KILL' })
      expect(Number.isFinite(absurdKill?.value)).toBe(true)

      // Ids no scope can name never reach the market: dead letters that say what is wrong.
      const unnameable = ['12345\u200b', 'a b', 'x'.repeat(65), '\u0430cct']
      await produce('orders.v1', unnameable.map((account, n) => order(`un-${n}`, { account_id: account })))
      // One oversized line, then an ordinary order: the loop carries on past it.
      await produce('orders.v1', [order('huge-1', { memo: 'x'.repeat(1_000_000) }), order('after-huge')])
      expect((await auditOf('after-huge')).decision).toBe('ALLOW')
      const letters = (await topic<DeadLetter>('dlq.v1')).map((l) => l.value).filter((l) => l.source_topic === 'orders.v1')
      expect(letters.filter((l) => /account_id/.test(l.error))).toHaveLength(unnameable.length)
      const huge = letters.find((l) => l.raw_truncated === true)
      expect(huge?.raw_bytes).toBeGreaterThan(1_000_000)
      expect(huge?.error).toMatch(/at most 32768 bytes/)
      const audited = new Set((await routerAudits()).map((a) => a.order_id))
      for (let n = 0; n < unnameable.length; n += 1) expect(audited.has(`un-${n}`)).toBe(false)
      const forwarded = (await topic<{ order_id: string }>('orders.gated.v1')).map((r) => r.value.order_id)
      expect(forwarded.filter((id) => id.startsWith('un-') || id.startsWith('sp-') || id === 'inc-1')).toEqual([])
      expect(up!.process.exitCode).toBe(null)
    })

    it('a processor process killed -9 mid-flow is started again: every order decided once, none let past a kill', async () => {
      await start()
      expect((await cli(['kill', 'ACCOUNT:9100', '--reason', 'before the crash'])).exitCode).toBe(0)
      const accounts = Array.from({ length: 20 }, (_, n) => String(9100 + n))
      // Seven symbols over twenty accounts: each account's orders spread, so no rule of the detector trips for them.
      const symbols = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'TSLA', 'NVDA', 'META']
      const batch = (name: string) =>
        Array.from({ length: 200 }, (_, n) => order(`${name}-${n}`, { account_id: accounts[n % accounts.length], symbol: symbols[n % symbols.length] }))
      await produce('orders.v1', batch('pre'))
      // Sent while the processes are being killed and replaced.
      const sending = produce('orders.v1', batch('post'))
      for (const kind of ['router', 'detector']) {
        const pid = await until(`the ${kind} process`, () => processorPid(up!.process.pid!, kind))
        process.kill(pid, 'SIGKILL')
        await until(`the ${kind} started again`, async () => {
          const again = await processorPid(up!.process.pid!, kind)
          return again !== undefined && again !== pid && /started again/.test(up!.stderr()) ? again : undefined
        })
      }
      await sending
      // A runaway the new detector must catch.
      await produce('orders.v1', Array.from({ length: 150 }, (_, n) => order(`crash-${n}`, { account_id: 'crash-1', symbol: n % 2 === 0 ? 'AAPL' : 'MSFT' })))
      await killedBy('ACCOUNT:crash-1', 'detector')
      const ids = [...batch('pre'), ...batch('post')].map((line) => (JSON.parse(line) as { order_id: string }).order_id)
      const audits = await until('every order decided', async () => {
        const decided = (await routerAudits()).filter((a) => a.order_id.startsWith('pre-') || a.order_id.startsWith('post-'))
        return decided.length >= ids.length ? decided : undefined
      })
      expect(audits).toHaveLength(ids.length)
      expect(new Set(audits.map((a) => a.order_id)).size).toBe(ids.length)
      for (const audit of audits) expect(audit.decision).toBe(audit.account_id === '9100' ? 'DROP' : 'ALLOW')
      const forwarded = (await topic<{ order_id: string }>('orders.gated.v1')).map((r) => r.value.order_id)
      const allowed = audits.filter((a) => a.decision === 'ALLOW').map((a) => a.order_id).sort()
      expect(forwarded.filter((id) => id.startsWith('pre-') || id.startsWith('post-')).sort()).toEqual(allowed)
      expect(up!.process.exitCode).toBe(null)
    })

    it('a client clock minutes off either way does not hide a runaway from the detector', async () => {
      await start()
      const symbols = ['AAPL', 'MSFT', 'GOOGL', 'AMZN', 'TSLA', 'NVDA']
      const burst = (account: string, skewMs: number) =>
        Array.from({ length: 150 }, (_, n) =>
          order(`${account}-${n}`, { account_id: account, symbol: symbols[n % symbols.length], ts: Date.now() + skewMs }),
        )
      await produce('orders.v1', [...burst('slow-1', -20_000), ...burst('fast-1', 5 * 60_000), ...burst('ancient-1', -10 * 86_400_000)])
      for (const account of ['slow-1', 'fast-1', 'ancient-1']) {
        const state = await killedBy(`ACCOUNT:${account}`, 'detector')
        expect(state.reason).toMatch(/^Order rate breach: 101 orders in 60s/)
      }
    })

    it('a restart forgets nothing: re-sent orders stay DUPLICATE, an old UNKILL stays applied once, a runaway while down is killed', async () => {
      await start()
      expect((await cli(['kill', 'ACCOUNT:9001', '--reason', 'first'])).exitCode).toBe(0)
      expect((await cli(['unkill', 'ACCOUNT:9001', '--reason', 'fixed'])).exitCode).toBe(0)
      await produce('orders.v1', [order('rs-1', { account_id: '9001' })])
      expect((await auditOf('rs-1')).decision).toBe('ALLOW')
      expect((await cli(['kill', 'ACCOUNT:9001', '--reason', 'second'])).exitCode).toBe(0)
      const unkill = (await topic<KillCommand>('killswitch.commands.v1')).find((r) => r.value.action === 'UNKILL')
      expect(unkill).toBeDefined()
      await stop('SIGKILL')

      // While riskctl up is down, a runaway starts.
      await produce('orders.v1', Array.from({ length: 150 }, (_, n) => order(`down-${n}`, { account_id: 'down-1', symbol: n % 2 === 0 ? 'AAPL' : 'MSFT' })))
      await start()
      await killedBy('ACCOUNT:down-1', 'detector')
      // The same order again, spelt otherwise, and the old UNKILL byte for byte.
      await produce('orders.v1', [order(' rs-1\t', { account_id: '9001' })])
      await produce('killswitch.commands.v1', [JSON.stringify(unkill!.value)])
      const again = await until('the re-sent order decided', async () => (await routerAudits()).filter((a) => a.order_id === 'rs-1')[1])
      expect(again.decision).toBe('DUPLICATE')
      const outcomes = await until('the replayed UNKILL handled', async () => {
        const audits = (await topic<AuditRecord>('audit.v1')).map((r) => r.value).filter((a) => a.corr_id === unkill!.value.corr_id && a.service === 'aggregator')
        return audits.length >= 2 ? audits.map((a) => a.decision).sort() : undefined
      })
      expect(outcomes).toEqual(['APPLIED', 'DUPLICATE'])
      expect((await stateOf('ACCOUNT:9001'))?.status).toBe('KILLED')
      const forwarded = (await topic<{ order_id: string }>('orders.gated.v1')).map((r) => r.value.order_id.trim())
      expect(forwarded.filter((id) => id === 'rs-1')).toHaveLength(1)
    })
  })
}

/** The pid of the process `riskctl up` (pid) runs this processor in. */
export async function processorPid(upPid: number, kind: string): Promise<number | undefined> {
  const children = await readFile(`/proc/${upPid}/task/${upPid}/children`, 'utf8').catch(() => '')
  for (const pid of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
    const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0')
    if (argv.some((arg) => arg.includes('processor-main')) && argv.includes(kind)) return pid
  }
  return undefined
}

export async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

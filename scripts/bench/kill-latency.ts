/**
 * Kill latency on Kafka (`npm run bench -- --kafka --only=kill`) and on the embedded log (in the default bench), measured as operators meet it: `riskctl up`
 * runs the aggregator, the router and the detector as it always does, a process of its own sends a steady
 * flow of orders for a few accounts, and the bench kills one account after another through the operator
 * command code that `riskctl kill` uses, then unkills it. It times the KILL command to the state record a
 * router can read, that state to the first DROP of the account, and the command to that DROP; then the whole
 * of `riskctl kill ACCOUNT:X --brokers ...`, spawned as a user types it, to the first DROP.
 */
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadDetectorTopology } from '../../src/config/detector-topology.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { EventLog } from '../../src/log/port.js'
import { buildOperatorCommand, publishCommand } from '../../src/processors/operator-command.js'
import { localOrigin } from '../../src/processors/operator-trail.js'
import { AUDIT, KILL_STATE } from '../../topologies/topics.js'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { BENCH_BROKERS, onFreshTopics } from './kafka.js'
import { benchKafkaFloor } from './kafka-floor.js'
import { KillWatch, nowMs } from './kill-watch.js'
import { forkOrderFlow } from './order-flow.js'
import { percentile, round, type BenchResult } from './result.js'

const ROOT = path.resolve(import.meta.dirname, '..', '..')
const BIN = path.join(ROOT, 'bin', 'run.js')
const numberFrom = (name: string, fallback: number) => Number(process.env[name] ?? fallback)
/** Kills timed through the operator command code, after a few that warm up. */
const KILLS = numberFrom('RISKCTL_BENCH_KILLS', 200)
const WARM_UP_KILLS = 5
/** `riskctl kill` processes spawned. */
const CLI_RUNS = numberFrom('RISKCTL_BENCH_CLI_RUNS', 20)
const FLOW = { accounts: 5, ordersPerSecond: 200 } as const
/** A kill whose DROP has not come by then counts as infinitely late. */
const KILL_TIMEOUT_MS = 10_000
const OPERATOR = 'bench'

interface KillTiming {
  readonly commandToState: number
  readonly commandToApplied: number
  readonly stateToDrop: number
  readonly commandToDrop: number
  readonly commandToDropRead: number
}

export async function benchKillOnKafka(): Promise<BenchResult[]> {
  return onFreshTopics(async (log) => {
    // First, with nothing else running: what the broker and kafkajs take for each step of a kill.
    const floor = await benchKafkaFloor()
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-kill-'))
    try {
      const backend: Backend = { name: 'kafka', args: ['--brokers', BENCH_BROKERS.join(','), '--data-dir', path.join(dir, 'data')] }
      return [...(await benchKills(dir, backend, async () => log)), ...floor]
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  })
}

/**
 * The same on the embedded log, as `riskctl up` runs on it by default: the bench, the flow, `up` and each
 * `riskctl kill` are processes of their own on one data directory.
 */
export async function benchKillOnEmbedded(): Promise<BenchResult[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-kill-'))
  const dataDir = path.join(dir, 'data')
  let log: EventLog | undefined
  try {
    // Opened once `up` has made the data directory, so that the bench finds it a riskctl one.
    return await benchKills(dir, { name: 'embedded', args: ['--data-dir', dataDir], dataDir }, async () => (log = await openEmbeddedLog({ dataDir })))
  } finally {
    await log?.close()
    fs.rmSync(dir, { recursive: true, force: true })
  }
}

/** Which log a kill round runs on: the flags `up` and `riskctl kill` get, and the flow's data directory. */
interface Backend {
  readonly name: 'kafka' | 'embedded'
  readonly args: readonly string[]
  readonly dataDir?: string
}

async function benchKills(dir: string, backend: Backend, openLog: () => Promise<EventLog>): Promise<BenchResult[]> {
  const accounts = Array.from({ length: FLOW.accounts }, (_, i) => `kill-${i}`)
  const up = await startUp(dir, backend)
  try {
    const log = await openLog()
    const flow = await forkOrderFlow({ accounts, ordersPerSecond: FLOW.ordersPerSecond, dataDir: backend.dataDir })
    const watch = new KillWatch(await log.consumer({ topics: [KILL_STATE, AUDIT], from: { type: 'latest' } }), new Set(accounts))
    try {
      await watch.until('the router deciding every account', () => watch.allDecided || undefined, 60_000)
      const kills = new KillRound(log, watch)
      for (let i = 0; i < WARM_UP_KILLS; i += 1) await kills.killAndRestore(accounts[i % accounts.length]!)
      const timings: KillTiming[] = []
      for (let i = 0; i < KILLS; i += 1) timings.push(await kills.killAndRestore(accounts[i % accounts.length]!))
      const cli = await benchCli(backend, kills, watch, accounts)
      return [...killResults(backend.name, timings, kills.leaks), ...cli]
    } finally {
      await watch.stop()
      await flow.stop()
    }
  } finally {
    await stopUp(up)
  }
}

/** Kill, wait for its first DROP, unkill, wait until that is applied; a short random pause between rounds. */
class KillRound {
  /** ALLOWs of orders sent after their account's kill was confirmed: must stay 0. */
  leaks = 0

  constructor(
    private readonly log: EventLog,
    private readonly watch: KillWatch,
  ) {}

  async killAndRestore(account: string): Promise<KillTiming> {
    const kill = buildOperatorCommand({ scope: `ACCOUNT:${account}`, action: 'KILL', reason: 'bench', operator: OPERATOR })
    const sentMs = nowMs()
    await publishCommand(this.log, kill, localOrigin('cli'))
    const state = await this.watch.until('the KILL state', () => this.watch.state(kill.cmd_id), KILL_TIMEOUT_MS)
    const drop = await this.watch.until('the first DROP', () => this.watch.firstDrop(kill.corr_id), KILL_TIMEOUT_MS)
    await this.restore(account, kill, state?.seenMs)
    const never = Number.POSITIVE_INFINITY
    return {
      commandToState: (state?.seenMs ?? never) - sentMs,
      commandToApplied: (state?.appliedMs ?? never) - sentMs,
      stateToDrop: drop && state ? drop.decidedMs - state.seenMs : never,
      commandToDrop: (drop?.decidedMs ?? never) - sentMs,
      commandToDropRead: (drop?.seenMs ?? never) - sentMs,
    }
  }

  /** Unkills `account` and waits for it; counts the orders sent after `confirmedMs` that were allowed meanwhile. */
  async restore(account: string, kill: Pick<KillCommand, 'scope'>, confirmedMs: number | undefined): Promise<void> {
    const unkill = buildOperatorCommand({ scope: kill.scope, action: 'UNKILL', reason: 'bench', operator: OPERATOR })
    const unkillMs = Date.now()
    // A millisecond's grace either side: the sender's clock is read before its produce call.
    if (confirmedMs !== undefined) this.leaks += this.watch.allowedWithin(account, confirmedMs + 1, unkillMs - 1)
    await publishCommand(this.log, unkill, localOrigin('cli'))
    await this.watch.until('the UNKILL state', () => this.watch.state(unkill.cmd_id), KILL_TIMEOUT_MS)
    await new Promise((resolve) => setTimeout(resolve, Math.random() * 20))
  }
}

/**
 * `riskctl kill ACCOUNT:X --reason ... --brokers ...` spawned as a user types it, from spawn to the first DROP
 * of the account and to its exit, beside `node -e 0` and `riskctl --version` spawned in the same rounds.
 */
async function benchCli(backend: Backend, kills: KillRound, watch: KillWatch, accounts: readonly string[]): Promise<BenchResult[]> {
  const toDrop: number[] = []
  const toExit: number[] = []
  const node: number[] = []
  const version: number[] = []
  let failures = 0
  for (let run = 0; run < CLI_RUNS; run += 1) {
    node.push((await spawnTimed(['-e', '0'])).ms)
    version.push((await spawnTimed([BIN, '--version'])).ms)
    const account = accounts[run % accounts.length]!
    const scope = `ACCOUNT:${account}`
    const started = nowMs()
    const args = [BIN, 'kill', scope, '--reason', 'bench', ...backend.args]
    const { ms, code } = await spawnTimed(args)
    toExit.push(ms)
    if (code !== 0) failures += 1
    const state = await watch.until('the KILL state', () => watch.stateOf(scope, 'KILLED', started), KILL_TIMEOUT_MS)
    const drop = state && (await watch.until('the first DROP', () => watch.firstDrop(state.state.corr_id), KILL_TIMEOUT_MS))
    toDrop.push((drop?.decidedMs ?? Number.POSITIVE_INFINITY) - started)
    await kills.restore(account, state?.state ?? { scope }, state?.seenMs)
  }
  const conditions = { runs: CLI_RUNS, failures, while: `riskctl up deciding ${FLOW.accounts * FLOW.ordersPerSecond} orders/s` }
  const name = `kill.${backend.name}`
  return [
    ...p50p99(`${name}.cli_to_drop`, toDrop, { ...conditions, aim: 'p50 <= 300 ms' }),
    ...p50p99(`${name}.cli_exit`, toExit, { ...conditions, measure: 'spawn to exit, confirmed' }),
    { metric: `${name}.cli_node.p50_ms`, value: round(median(node), 1), unit: 'ms', conditions: { runs: CLI_RUNS, command: 'node -e 0' } },
    { metric: `${name}.cli_version.p50_ms`, value: round(median(version), 1), unit: 'ms', conditions: { runs: CLI_RUNS, command: 'riskctl --version' } },
  ]
}

function killResults(backend: Backend['name'], timings: readonly KillTiming[], leaks: number): BenchResult[] {
  const conditions = {
    kills: timings.length,
    accounts: FLOW.accounts,
    ordersPerSecondPerAccount: FLOW.ordersPerSecond,
    processors: 'riskctl up (aggregator, router, detector)',
  }
  const of = (pick: (t: KillTiming) => number) => timings.map(pick)
  const name = `kill.${backend}`
  // On Kafka the aim is the exactly-once one; on the embedded log, the report's time to block.
  const aim = backend === 'kafka' ? 'p50 <= 8 ms, p99 <= 30 ms' : 'p50 <= 100 ms, p99 <= 300 ms'
  return [
    ...p50p99(`${name}.command_to_state`, of((t) => t.commandToState), { ...conditions, to: 'the state record read by a reader (read_committed on Kafka)' }),
    ...p50p99(`${name}.command_to_applied`, of((t) => t.commandToApplied), { ...conditions, to: "the aggregator's apply, before its transaction" }),
    ...p50p99(`${name}.state_to_drop`, of((t) => t.stateToDrop), { ...conditions, to: "the router's first DROP decision" }),
    ...p50p99(`${name}.command_to_drop`, of((t) => t.commandToDrop), { ...conditions, aim }),
    ...p50p99(`${name}.command_to_drop_read`, of((t) => t.commandToDropRead), { ...conditions, to: 'the DROP audit read by a reader (read_committed on Kafka)' }),
    { metric: `${name}.allowed_after_confirm`, value: leaks, unit: 'orders', conditions: { ...conditions, aim: '0' } },
  ]
}

function p50p99(name: string, values: readonly number[], conditions: BenchResult['conditions']): BenchResult[] {
  const sorted = [...values].sort((a, b) => a - b)
  return [50, 99].map((p) => ({ metric: `${name}.p${p}_ms`, value: round(percentile(sorted, p), 1), unit: 'ms', conditions }))
}

function median(values: readonly number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50)
}

async function spawnTimed(args: readonly string[]): Promise<{ ms: number; code: number | null }> {
  const started = nowMs()
  const child = spawn('node', args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } })
  const [code] = (await once(child, 'exit')) as [number | null]
  return { ms: nowMs() - started, code }
}

interface Up {
  readonly child: ReturnType<typeof spawn>
  stderr(): string
}

/** `riskctl up` on the bench's broker, with thresholds the steady flow never reaches: only the bench kills. */
async function startUp(dir: string, backend: Backend): Promise<Up> {
  const topology = path.join(dir, 'detector.json')
  const defaults = loadDetectorTopology()
  const unreachable = { orderCount: 1_000_000_000, notional: 1e15, topSymbolShare: 1 }
  fs.writeFileSync(topology, JSON.stringify({ ...defaults, thresholds: unreachable, symbolRule: { orderCount: 1_000_000_000 } }))
  const args = [BIN, 'up', ...backend.args, '--console-port', '0', '--topology', topology]
  const child = spawn('node', args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } })
  let stderr = ''
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const deadline = Date.now() + 60_000
  while (!stderr.includes('ready:')) {
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL')
      throw new Error(`riskctl up did not become ready:\n${stderr}`)
    }
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  return { child, stderr: () => stderr }
}

async function stopUp(up: Up): Promise<void> {
  if (up.child.exitCode !== null) return
  const exited = once(up.child, 'exit')
  up.child.kill('SIGTERM')
  const timer = setTimeout(() => up.child.kill('SIGKILL'), 20_000)
  await exited
  clearTimeout(timer)
}

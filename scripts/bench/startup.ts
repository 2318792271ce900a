import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { percentile, round, type BenchResult } from './result.js'

const RUNS = 15
const ROOT = path.resolve(import.meta.dirname, '..', '..')
const BIN = path.join(ROOT, 'bin', 'run.js')

/**
 * How long a command takes from the shell, against a bare `node -e 0` measured in the same run, alternating so
 * that a noisy moment hits both alike: what a user feels on every call. `state` reads an embedded log whose
 * topics exist, so that it does all of its work.
 */
export async function benchStartup(): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-startup-'))
  try {
    execFileSync('node', [BIN, 'topics', 'create', '--data-dir', dataDir], { stdio: 'ignore' })
    const cases: Record<string, string[]> = {
      node: ['-e', '0'],
      version: [BIN, '--version'],
      help: [BIN, '--help'],
      state: [BIN, 'state', '--data-dir', dataDir],
    }
    const times = new Map<string, number[]>(Object.keys(cases).map((name) => [name, []]))
    for (let run = 0; run < RUNS; run += 1) {
      for (const [name, args] of Object.entries(cases)) {
        const started = process.hrtime.bigint()
        execFileSync('node', args, { stdio: 'ignore', env: { ...process.env, NO_COLOR: '1' } })
        times.get(name)!.push(Number(process.hrtime.bigint() - started) / 1e6)
      }
    }
    const median = (name: string) => percentile([...times.get(name)!].sort((a, b) => a - b), 50)
    const base = median('node')
    const conditions = { runs: RUNS, measure: 'median wall time of a child process' }
    const results: BenchResult[] = [{ metric: 'cli.startup.node_ms', value: round(base, 1), unit: 'ms', conditions }]
    for (const name of ['version', 'help', 'state']) {
      results.push({ metric: `cli.startup.${name}_ms`, value: round(median(name), 1), unit: 'ms', conditions })
      results.push({
        metric: `cli.startup.${name}_ratio`,
        value: round(median(name) / base, 2),
        unit: '× node -e 0',
        conditions: { ...conditions, goal: '≤ 6' },
      })
    }
    return results
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

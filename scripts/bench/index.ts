/**
 * The project's one benchmark: `npm run bench` prints a table, `npm run bench -- --json` one JSON
 * array of {metric, value, unit, conditions}. Every figure is measured in this one run, so ratios
 * between them compare like with like on the same machine. `--kafka` adds the Kafka suite, which
 * needs a broker at RISKCTL_BENCH_BROKERS (default 127.0.0.1:9092, e.g. npm run kafka:start) and
 * recreates the riskctl topics on it. `--spark` adds breach-to-KILL latency of the Spark job against the
 * in-process detector on the same stream and broker; it needs the same broker and the Spark virtualenv
 * (npm run spark:setup), and takes a minute or two, most of it Spark starting and warming up.
 * `--baseline=REF` measures the router at another commit (in a temporary worktree) before and after this tree's suites, and reports the ratio.
 * `--kafka` also times kills on the broker (`--only=kill` for just those): the KILL command to its state, to the first
 * DROP, and `riskctl kill` from spawn to the first DROP (kill-latency.ts).
 * `--loop` (or `--only=loop`) adds the whole loop as users run it (`riskctl up` fed by `riskctl generate`, loop.ts):
 * `--loop-rates=10000,25000` and `--loop-seconds=60` change what it runs.
 */
import os from 'node:os'
import { benchBaseline, mergeBaselines, ratioToAppendCeiling, ratioToBaseline } from './baseline.js'
import { benchEmbeddedLog } from './embedded-log.js'
import { benchDetectorScale } from './detector-scale.js'
import { benchDetectorFullWindows } from './detector-full-windows.js'
import { benchDetector, benchDuplicateMemory } from './fail-closed.js'
import { benchBootstrap } from './bootstrap.js'
import { benchAuditIndex } from './audit-index.js'
import { benchBreachToDrop, benchRouter } from './pipeline.js'
import { benchStartup } from './startup.js'
import type { BenchResult } from './result.js'

const suites: { name: string; run: () => Promise<BenchResult[]> }[] = [
  { name: 'embedded log', run: benchEmbeddedLog },
  { name: 'router', run: benchRouter },
  { name: 'breach to drop', run: benchBreachToDrop },
  { name: 'detector', run: benchDetector },
  { name: 'detector at scale', run: benchDetectorScale },
  { name: 'detector at scale, windows full', run: benchDetectorFullWindows },
  { name: 'router duplicates', run: benchDuplicateMemory },
  { name: 'router bootstrap', run: benchBootstrap },
  { name: 'audit index', run: benchAuditIndex },
  { name: 'cli startup', run: benchStartup },
  // `riskctl up` with a steady flow, killed and unkilled 200 times, then `riskctl kill` spawned 20 times (a minute).
  { name: 'embedded kill', run: async () => (await import('./kill-latency.js')).benchKillOnEmbedded() },
]

// `--baseline=REF`: the router's figure at REF too, and the ratio. Measured before and after this tree's suites: on a
// shared machine whichever runs first was seen to run up to a fifth slower, so the baseline brackets the rest.
const baseline = process.argv.find((arg) => arg.startsWith('--baseline='))?.slice('--baseline='.length)
if (baseline !== undefined) suites.unshift({ name: `router baseline (${baseline}), before`, run: () => benchBaseline(baseline) })

const only = process.argv.find((arg) => arg.startsWith('--only='))?.slice('--only='.length)

// The whole loop takes about five minutes (four rates of a minute each): asked for with --loop or --only=loop.
if (process.argv.includes('--loop') || only?.includes('loop') === true) {
  const { benchLoop, loopOptions } = await import('./loop.js')
  suites.push({ name: 'loop', run: () => benchLoop(loopOptions(process.argv)) })
}

if (process.argv.includes('--kafka')) {
  // Loaded only when asked for: the default bench needs no broker and no kafkajs.
  const { benchKafka } = await import('./kafka.js')
  suites.push({ name: 'kafka', run: benchKafka })
}

// Kill latency needs a broker too, and runs `riskctl up` with a flow of orders for a minute or two (kill-latency.ts).
if (process.argv.includes('--kafka') || only?.includes('kill') === true) {
  const { benchKillOnKafka } = await import('./kill-latency.js')
  suites.push({ name: 'kafka kill', run: benchKillOnKafka })
}

if (baseline !== undefined) suites.push({ name: `router baseline (${baseline}), after`, run: () => benchBaseline(baseline) })

if (process.argv.includes('--spark')) {
  const { benchSpark } = await import('./spark.js')
  suites.push({ name: 'spark', run: benchSpark })
}

const json = process.argv.includes('--json')

const results: BenchResult[] = []
for (const suite of suites) {
  if (only !== undefined && !suite.name.includes(only)) continue
  if (!json) process.stderr.write(`running ${suite.name}…\n`)
  try {
    results.push(...(await suite.run()))
  } catch (error) {
    process.stderr.write(
      `bench: ${suite.name} failed: ${error instanceof Error ? error.message : String(error)}\n`,
    )
    process.exit(1)
  }
}

const bracketed = mergeBaselines(results)
results.length = 0
results.push(...bracketed, ...ratioToBaseline(bracketed), ...ratioToAppendCeiling(bracketed))

if (json) {
  process.stdout.write(`${JSON.stringify(results, null, 2)}\n`)
} else {
  const rows = results.map((r) => [
    r.metric,
    r.value.toLocaleString('en-US'),
    r.unit,
    formatConditions(r.conditions),
  ])
  const header = ['metric', 'value', 'unit', 'conditions']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)))
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ')
  process.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`)
  process.stdout.write(
    `\nnode ${process.version} · ${os.cpus().length} cores · ${os.cpus()[0]?.model ?? 'unknown cpu'}\n`,
  )
}

function formatConditions(conditions: BenchResult['conditions']): string {
  return Object.entries(conditions)
    .map(([key, value]) => `${key}=${String(value)}`)
    .join(' ')
}

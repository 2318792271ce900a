import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { execa } from 'execa'
import type { BenchResult } from './result.js'

const ROUTER_METRIC = 'router.embedded.decisions_per_s'
const BASELINE_METRIC = 'router.embedded.baseline.decisions_per_s'

/**
 * The router's figure at another commit, measured in this run on this machine: the commit is checked out in a
 * temporary worktree (sharing this tree's node_modules) and its own router bench runs there. Side by side with
 * this tree's figure, it shows what a change cost.
 */
export async function benchBaseline(ref: string): Promise<BenchResult[]> {
  const root = path.resolve(import.meta.dirname, '..', '..')
  const worktree = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-baseline-'))
  const commit = (await execa('git', ['rev-parse', '--short', ref], { cwd: root })).stdout.trim()
  await execa('git', ['worktree', 'add', '--detach', '--force', worktree, commit], { cwd: root })
  try {
    fs.symlinkSync(path.join(root, 'node_modules'), path.join(worktree, 'node_modules'))
    const { stdout } = await execa('node', ['--import', 'tsx', 'scripts/bench/index.ts', '--only=router', '--json'], {
      cwd: worktree,
      stderr: 'inherit',
    })
    const theirs = (JSON.parse(stdout) as BenchResult[]).find((r) => r.metric === ROUTER_METRIC)
    if (theirs === undefined) throw new Error(`${ref} reports no ${ROUTER_METRIC}`)
    return [{ ...theirs, metric: BASELINE_METRIC, conditions: { ...theirs.conditions, ref: commit } }]
  } finally {
    await execa('git', ['worktree', 'remove', '--force', worktree], { cwd: root, reject: false })
    fs.rmSync(worktree, { recursive: true, force: true })
  }
}

/** The baseline's runs before and after this tree's, as one figure: their mean, with each in the conditions. */
export function mergeBaselines(results: readonly BenchResult[]): BenchResult[] {
  const runs = results.filter((r) => r.metric === BASELINE_METRIC)
  if (runs.length < 2) return [...results]
  const [before, after] = runs as [BenchResult, BenchResult]
  const merged: BenchResult = {
    ...before,
    value: Math.round((before.value + after.value) / 2),
    conditions: {
      ...before.conditions,
      runs: 'median of 3 before this tree and 3 after, averaged',
      min: Math.min(Number(before.conditions.min), Number(after.conditions.min)),
      max: Math.max(Number(before.conditions.max), Number(after.conditions.max)),
      before: before.value,
      after: after.value,
    },
  }
  return [merged, ...results.filter((r) => r.metric !== BASELINE_METRIC)]
}

/** This tree's router figure over the baseline's, when both were measured. */
export function ratioToBaseline(results: readonly BenchResult[]): BenchResult[] {
  const ours = results.find((r) => r.metric === ROUTER_METRIC)
  const theirs = results.find((r) => r.metric === BASELINE_METRIC)
  if (ours === undefined || theirs === undefined) return []
  return [
    {
      metric: 'router.embedded.ratio_to_baseline',
      value: Math.round((ours.value / theirs.value) * 1000) / 1000,
      unit: '×',
      conditions: { baseline: String(theirs.conditions.ref), runs: String(theirs.conditions.runs) },
    },
  ]
}

/**
 * The router against the embedded log's own ceiling in the same run: batched appends of orders alone, with no
 * reading, deciding or second topic. A decision writes about two records (its audit and, allowed, the order).
 */
export function ratioToAppendCeiling(results: readonly BenchResult[]): BenchResult[] {
  const router = results.find((r) => r.metric === ROUTER_METRIC)
  const ceiling = results.find((r) => r.metric === 'embedded.append.batched.records_per_s')
  if (router === undefined || ceiling === undefined) return []
  return [
    {
      metric: 'router.embedded.ratio_to_append_ceiling',
      value: Math.round((router.value / ceiling.value) * 1000) / 1000,
      unit: '×',
      conditions: { ceiling: `${ceiling.value} records/s`, writes: 'audit + allowed order per decision' },
    },
  ]
}

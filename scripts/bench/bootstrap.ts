import { loadLimitsTopology } from '../../src/config/limits-topology.js'
/**
 * What a (re)starting router pays before it decides its first order, at exchange scale: the compacted kill state of
 * a million scopes read to its end and loaded into the table it enforces, and what that table holds in memory.
 */
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { RouterState } from '../../src/processors/router-state.js'
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { KILL_STATE, TOPICS } from '../../topologies/topics.js'
import { gc } from './gc.js'
import { round, type BenchResult } from './result.js'
import { killedAccountState } from './sample-order.js'

const SCOPES = 1_000_000

export async function benchBootstrap(): Promise<BenchResult[]> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bootstrap-'))
  try {
    const log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    for (let i = 0; i < SCOPES; i += 10_000) {
      await log.produce(KILL_STATE, Array.from({ length: 10_000 }, (_, j) => killedAccountState(i + j)))
    }
    const recordBytes = killedAccountState(0).value!.length
    gc()
    const heapBefore = process.memoryUsage().heapUsed
    const { state, records, readMs, loadMs } = await load(log)
    const scopes = state.view.all().length
    // The table alone, as a running router keeps it: the records read are garbage once loaded.
    gc()
    const heapAfter = process.memoryUsage().heapUsed
    await log.close()
    const conditions = { scopes, records, recordBytes, log: 'embedded, 3 partitions', status: 'every scope KILLED' }
    return [
      { metric: 'router.bootstrap.1m_scopes.read_ms', value: Math.round(readMs), unit: 'ms', conditions },
      { metric: 'router.bootstrap.1m_scopes.load_ms', value: Math.round(loadMs), unit: 'ms', conditions },
      {
        metric: 'router.bootstrap.1m_scopes.total_ms',
        value: Math.round(readMs + loadMs),
        unit: 'ms',
        conditions: { ...conditions, note: 'before the first order is decided, at every (re)start' },
      },
      {
        metric: 'router.state.bytes_per_scope',
        value: round((heapAfter - heapBefore) / scopes, 0),
        unit: 'bytes',
        conditions: { ...conditions, measured: 'heap held by the loaded table, after GC' },
      },
    ]
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

async function load(log: EmbeddedLog): Promise<{ state: RouterState; records: number; readMs: number; loadMs: number }> {
  const started = performance.now()
  const view = await log.readCompacted(KILL_STATE)
  const readMs = performance.now() - started
  const state = new RouterState(1, loadLimitsTopology())
  const loadStarted = performance.now()
  state.load(view.records.values())
  return { state, records: view.records.size, readMs, loadMs: performance.now() - loadStarted }
}

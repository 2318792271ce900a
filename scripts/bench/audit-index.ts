import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { LogRecord } from '../../src/log/port.js'
import { RouterState } from '../../src/processors/router-state.js'
import { AuditIndex } from '../../src/services/audit-index/audit-index.js'
import { AUDIT, KILL_STATE, ORDERS } from '../../topologies/topics.js'
import { KILL_SWITCH_ONLY } from '../../test/helpers/limits.js'
import { jsonRecord } from '../../test/helpers/json-record.js'
import { round, type BenchResult } from './result.js'
import { killedAccountState, sampleOrder } from './sample-order.js'

const RECORDS = 200_000
const BATCH = 5000
const KILLED = 1000

/**
 * The audit indexer's cost per record: `riskctl up` indexes every decision the router audits, in a process of its
 * own, so in the whole loop its CPU is taken from the router's and the detector's. Real audit records (the router's
 * own step over sample orders, a tenth of them dropped), added in the batches the indexer reads.
 */
export async function benchAuditIndex(): Promise<BenchResult[]> {
  const now = Date.now()
  const router = new RouterState(RECORDS * 2, KILL_SWITCH_ONLY)
  router.load(Array.from({ length: KILLED }, (_, i) => asLogRecord(KILL_STATE, killedAccountState(i), i, now)))
  const orders = Array.from({ length: RECORDS }, (_, seq) => {
    const order = sampleOrder(seq, now)
    return asLogRecord(ORDERS, jsonRecord(order.account_id, seq % 10 === 0 ? { ...order, account_id: `k${seq % KILLED}` } : order), seq, now)
  })
  const audits: LogRecord[] = []
  for (let i = 0; i < orders.length; i += BATCH) {
    const routed = router.route(orders.slice(i, i + BATCH), now)
    router.confirm(router.decided.pending, router.journal.pending)
    for (const audit of routed.audits) audits.push(asLogRecord(AUDIT, audit, audits.length, now))
  }
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-bench-index-'))
  const index = AuditIndex.open(dataDir, 'bench')
  try {
    const cpuBefore = process.cpuUsage()
    const started = performance.now()
    for (let i = 0; i < audits.length; i += BATCH) {
      const batch = audits.slice(i, i + BATCH)
      index.add(batch, [{ topic: AUDIT, partition: 0, offset: batch.at(-1)!.offset + 1 }])
    }
    const seconds = (performance.now() - started) / 1000
    const cpu = process.cpuUsage(cpuBefore)
    const bytes = fs.readdirSync(dataDir).reduce((sum, file) => sum + fs.statSync(path.join(dataDir, file)).size, 0)
    const conditions = { records: audits.length, batch: BATCH, dropped: `1 in 10`, store: 'SQLite, WAL, synchronous NORMAL' }
    return [
      { metric: 'audit_index.records_per_s', value: Math.round(audits.length / seconds), unit: 'records/s', conditions },
      { metric: 'audit_index.cpu_us_per_record', value: round((cpu.user + cpu.system) / audits.length, 2), unit: 'µs', conditions },
      { metric: 'audit_index.bytes_per_record', value: Math.round(bytes / audits.length), unit: 'bytes', conditions: { ...conditions, files: 'database and WAL' } },
    ]
  } finally {
    index.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  }
}

function asLogRecord(topic: string, record: { key: string | null; value: Buffer | null }, offset: number, timestamp: number): LogRecord {
  return { topic, partition: 0, offset, key: record.key, value: record.value, timestamp, headers: {} }
}

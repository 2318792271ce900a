import type { AuditDecision, AuditRecord } from '../contracts/messages.js'
import { badInput } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { AuditIndex } from './audit-index/audit-index.js'

export interface AuditQueryInput {
  readonly account?: string | undefined
  readonly decision?: AuditDecision | undefined
  readonly corrId?: string | undefined
  readonly since?: string | undefined
  readonly limit: number
}

/** Catches the local index up with audit.v1, then answers from it: newest first. */
export async function queryAudit(log: EventLog, dataDir: string, input: AuditQueryInput): Promise<AuditRecord[]> {
  const since = input.since === undefined ? undefined : parseSince(input.since, Date.now())
  const index = AuditIndex.open(dataDir, log.description)
  try {
    await index.catchUp(log)
    return index.query({ account: input.account, decision: input.decision, corrId: input.corrId, since, limit: input.limit })
  } finally {
    index.close()
  }
}

const RELATIVE = /^(\d+)\s*(s|m|h|d)$/
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const

/** ISO time, epoch ms, or a span back from now: 30s, 10m, 2h, 1d. */
export function parseSince(text: string, now: number): number {
  const trimmed = text.trim()
  const relative = RELATIVE.exec(trimmed)
  if (relative) return now - Number(relative[1]) * UNIT_MS[relative[2] as keyof typeof UNIT_MS]
  if (/^\d+$/.test(trimmed)) return Number(trimmed)
  // Only strings that look like a date: Date.parse alone accepts odd inputs such as "1".
  const parsed = /^\d{4}-\d{2}-\d{2}/.test(trimmed) ? Date.parse(trimmed) : Number.NaN
  if (!Number.isNaN(parsed)) return parsed
  throw badInput('RISKCTL_TIME_INVALID', `"${text}" is not a time.`, [
    'Use an ISO time (2026-11-25T09:30:00Z), epoch milliseconds, or a span back from now: 30s, 10m, 2h, 1d.',
  ])
}

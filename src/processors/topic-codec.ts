import { z } from 'zod'
import type { DeadLetter } from '../domain/dead-letter.js'
import type { KillState } from '../domain/kill-status.js'
import { killStateSchema, killStatusSchema, MAX_EPOCH_MS, scopeSchema } from '../contracts/messages.js'
import { parseScope } from '../domain/scope.js'
import { decodeJson } from '../contracts/decode.js'
import type { LogRecord, ProduceRecord } from '../log/port.js'
import type { AuditRecord } from '../domain/audit-record.js'
import type { CommandRecord } from '../contracts/commands.js'
import type { LimitsRecord } from '../domain/pretrade/limits-command.js'
import type { Order } from '../domain/order.js'
import { isCreditWarning, type RiskSignal, type RiskSignalRecord } from '../domain/risk-signal.js'
import type { APPROVALS, KILL_COMMANDS, KILL_STATE, OPERATOR_ACTIONS, ORDERS, ORDERS_GATED, REFERENCE_PRICES, RISK_LIMITS } from '../../topologies/topics.js'
import type { OperatorActionRecord } from '../domain/operator-action.js'
import type { ApprovalRecord } from '../domain/approval.js'
import type { ReferencePriceRecord } from '../domain/pretrade/reference-prices.js'
import { AUDIT, DEAD_LETTERS, RISK_SIGNALS, TOPICS } from '../../topologies/topics.js'
import { auditJson, signalJson } from './record-json.js'

/** The value each topic carries: what `encode` accepts for it. */
export interface TopicValues {
  [ORDERS]: Order
  [ORDERS_GATED]: Order
  [RISK_SIGNALS]: RiskSignalRecord
  [KILL_COMMANDS]: CommandRecord
  [KILL_STATE]: KillState
  [AUDIT]: AuditRecord
  [DEAD_LETTERS]: DeadLetter
  [RISK_LIMITS]: LimitsRecord
  [REFERENCE_PRICES]: ReferencePriceRecord
  [OPERATOR_ACTIONS]: OperatorActionRecord
  [APPROVALS]: ApprovalRecord
}
export type TopicName = keyof TopicValues

const KEY_FIELDS: ReadonlyMap<string, string> = new Map(TOPICS.map((topic) => [topic.name, topic.keyField]))

export interface EncodeOptions {
  /** Epoch ms for the record; by default the log stamps it. */
  readonly timestamp?: number | undefined
  /** Only where the topic's key field is empty for this kind of value: a command's audit has no order_id. */
  readonly key?: string | undefined
}

/**
 * The one way a riskctl value becomes a record: JSON bytes, keyed by the field the topic's spec names
 * (topologies/topics.ts), so that every writer partitions a topic alike.
 */
export function encode<T extends TopicName>(topic: T, value: TopicValues[T], options: EncodeOptions = {}): ProduceRecord {
  const field = KEY_FIELDS.get(topic)
  const key = options.key ?? (field === undefined ? undefined : (value as unknown as Record<string, unknown>)[field])
  if (typeof key !== 'string') throw new Error(`a record of ${topic} needs a string ${field ?? 'key'}`)
  const bytes = Buffer.from(json(topic, value))
  return options.timestamp === undefined ? { key, value: bytes } : { key, value: bytes, timestamp: options.timestamp }
}

function json<T extends TopicName>(topic: T, value: TopicValues[T]): string {
  if (topic === AUDIT) return auditJson(value as AuditRecord)
  if (topic === RISK_SIGNALS) {
    const signal = value as RiskSignalRecord
    return isCreditWarning(signal) ? JSON.stringify(signal) : signalJson(signal as RiskSignal)
  }
  return JSON.stringify(value)
}

/** The most of a rejected record a dead letter carries; with its reason, a letter stays under 20 KiB. */
export const MAX_DEAD_LETTER_RAW_BYTES = 16 * 1024
const MAX_ERROR_CHARS = 2048

/**
 * A record that failed its contract, with the reason, for dlq.v1: never dropped silently. Bounded, so that no
 * record is too large to dead-letter: a larger one keeps its first bytes, its size and the mark raw_truncated.
 */
export function deadLetter(record: LogRecord, error: string, now: number): ProduceRecord {
  const value = record.value ?? Buffer.alloc(0)
  const truncated = value.length > MAX_DEAD_LETTER_RAW_BYTES
  const letter: DeadLetter = {
    ts: now,
    source_topic: record.topic,
    offset: `${record.partition}:${record.offset}`,
    // toString replaces a multi-byte character cut in half, so the letter is always valid UTF-8.
    raw: (truncated ? value.subarray(0, MAX_DEAD_LETTER_RAW_BYTES) : value).toString('utf8'),
    error: error.length > MAX_ERROR_CHARS ? `${error.slice(0, MAX_ERROR_CHARS)}…` : error,
    ...(truncated ? { raw_bytes: value.length, raw_truncated: true } : {}),
  }
  // Keyed by source topic, as the topic spec says: a bad producer's letters stay in order.
  return encode(DEAD_LETTERS, letter, { timestamp: now })
}

export type StateChange =
  /** A state to enforce. `problem` says why it was not read as written: enforced all the same, failing closed. */
  | { readonly type: 'state'; readonly state: KillState; readonly problem?: string }
  | { readonly type: 'deleted'; readonly scope: string }
  /** A tombstone for a key that is not a scope's own spelling: it governs no order. */
  | { readonly type: 'ignored' }
  /** Nothing names a scope: it cannot be enforced, so it must be seen (a dead letter, an alert). */
  | { readonly type: 'invalid'; readonly error: string }

const MAX_STATE_REASON_CHARS = 1024

/** What a state record must at least say to be enforced as written. */
const readableStateSchema = z.object({
  scope: scopeSchema,
  status: z.string().transform((status, ctx) => {
    const parsed = killStatusSchema.safeParse(status.trim().toUpperCase())
    if (parsed.success) return parsed.data
    ctx.addIssue({ code: 'custom', message: `"${status}" is not one of ${killStatusSchema.options.join(', ')}` })
    return z.NEVER
  }),
})

/**
 * A record of killswitch.state.v1: a state, a tombstone that deletes its scope, or one that names no scope.
 * Fail closed: a record whose scope and status can be read is enforced whatever else it lacks, and one whose
 * value cannot be read at all but whose key names a scope KILLS that scope until an operator restores it.
 */
export function decodeStateRecord(record: LogRecord): StateChange {
  return underItsKey(record, decodeStateValue(record))
}

/**
 * A state is only as good as the key it is filed under: on a compacted topic the key, not the value, decides what
 * a later record replaces. One filed under its scope spelt otherwise (written before ids were canonical), or under
 * a key that names no scope, may tighten its scope, never loosen it; one filed under another scope's key has
 * overwritten that scope's own state, which is therefore unknown: that scope is KILLED until an operator restores it.
 */
function underItsKey(record: LogRecord, change: StateChange): StateChange {
  if (change.type !== 'state' || record.key === null || record.key === change.state.scope) return change
  const scope = change.state.scope
  const keyScope = parseScope(record.key)
  if (!keyScope.ok || keyScope.text === scope) {
    const where = `state for ${scope} under the key ${JSON.stringify(record.key)}, not ${scope}`
    if (change.state.status === 'ACTIVE') return { type: 'invalid', error: `${where}: only ${scope} itself restores it` }
    return { ...change, problem: change.problem ?? where }
  }
  const problem = `state for ${scope} under the key of ${keyScope.text}, whose own state it replaced`
  return { type: 'state', problem, state: killedUntilRestored(keyScope.text, record, problem) }
}

function decodeStateValue(record: LogRecord): StateChange {
  if (record.value === null) {
    if (record.key === null) return { type: 'invalid', error: 'tombstone without a key' }
    // Only the scope's own key deletes its state: a tombstone spelt otherwise removes that spelling alone.
    const scope = parseScope(record.key)
    return scope.ok && scope.text === record.key ? { type: 'deleted', scope: scope.text } : { type: 'ignored' }
  }
  const decoded = decodeJson(killStateSchema, record.value)
  if (decoded.ok) return { type: 'state', state: bounded(decoded.value) }
  const readable = decodeJson(readableStateSchema, record.value)
  if (readable.ok) {
    const fields = readableFields(record.value)
    return {
      type: 'state',
      problem: `incomplete state record: ${decoded.error}`,
      state: bounded({
        scope: readable.value.scope,
        status: readable.value.status,
        updated_ts: Math.min(wholeNumber(fields.updated_ts) ?? record.timestamp, MAX_EPOCH_MS),
        updated_by: text(fields.updated_by) ?? 'unknown',
        reason: text(fields.reason) ?? 'state record without a reason',
        last_cmd_id: text(fields.last_cmd_id) ?? recordId(record),
        corr_id: text(fields.corr_id) ?? recordId(record),
        // A THROTTLED state without a cap is enforced as a cap the router cannot meet: it drops.
        ...(positiveInteger(fields.max_orders_per_sec) === undefined
          ? {}
          : { max_orders_per_sec: positiveInteger(fields.max_orders_per_sec)! }),
      }),
    }
  }
  const scope = record.key === null ? undefined : parseScope(record.key)
  if (scope?.ok !== true) {
    return { type: 'invalid', error: `unreadable state record (${decoded.error}) whose key names no scope` }
  }
  const problem = `unreadable state record: ${decoded.error}`
  return { type: 'state', problem, state: killedUntilRestored(scope.text, record, problem) }
}

function killedUntilRestored(scope: string, record: LogRecord, problem: string): KillState {
  return bounded({
    scope,
    status: 'KILLED',
    updated_ts: Math.min(Math.max(0, record.timestamp), MAX_EPOCH_MS),
    updated_by: 'riskctl',
    reason: `${problem}; killed until an operator restores it`,
    last_cmd_id: recordId(record),
    corr_id: recordId(record),
  })
}

/** Stands in for a missing cmd_id or corr_id: where the record that decided it lies. */
function recordId(record: LogRecord): string {
  return `state-${record.partition}:${record.offset}`
}

function bounded(state: KillState): KillState {
  return state.reason.length > MAX_STATE_REASON_CHARS
    ? { ...state, reason: `${state.reason.slice(0, MAX_STATE_REASON_CHARS)}…` }
    : state
}

function readableFields(bytes: Buffer): Record<string, unknown> {
  try {
    const parsed: unknown = JSON.parse(bytes.toString('utf8'))
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined
}

function wholeNumber(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 && value <= MAX_EPOCH_MS ? value : undefined
}

function positiveInteger(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : undefined
}

import type { z } from 'zod'
import { commandSchema } from '../src/contracts/commands.js'
import { auditSchema, deadLetterSchema, killStateSchema, orderSchema, riskSignalRecordSchema } from '../src/contracts/messages.js'
import { limitsRecordSchema, referencePriceSchema } from '../src/contracts/risk-limits.js'
import { operatorActionSchema } from '../src/contracts/operator-actions.js'
import { approvalRecordSchema } from '../src/contracts/approvals.js'

/**
 * Every topic riskctl uses, in one place: `topics create`, `up`, `describe-topic`, `produce` and
 * the processors all read these specs, so a name, key or retention is written exactly once.
 */
export const ORDERS = 'orders.v1'
export const RISK_SIGNALS = 'risk_signals.v1'
export const KILL_COMMANDS = 'killswitch.commands.v1'
export const KILL_STATE = 'killswitch.state.v1'
export const ORDERS_GATED = 'orders.gated.v1'
export const AUDIT = 'audit.v1'
export const DEAD_LETTERS = 'dlq.v1'
export const RISK_LIMITS = 'risk_limits.v1'
export const REFERENCE_PRICES = 'reference_prices.v1'
export const OPERATOR_ACTIONS = 'operator_actions.v1'
export const APPROVALS = 'killswitch.approvals.v1'

export type CleanupPolicy = 'delete' | 'compact'

export interface TopicSpec {
  readonly name: string
  readonly description: string
  readonly partitions: number
  /** The value field whose content becomes the record key. */
  readonly keyField: string
  readonly cleanupPolicy: CleanupPolicy
  /** Topic-level overrides, as Kafka names them; anything absent takes the broker default. */
  readonly configs: Readonly<Record<string, string>>
  readonly schema: z.ZodType
}

const DAY_MS = 24 * 60 * 60 * 1000
const DEFAULT_PARTITIONS = 3

function compactedTopic(
  name: string,
  description: string,
  keyField: string,
  schema: z.ZodType,
  configs: Readonly<Record<string, string>> = {},
): TopicSpec {
  return {
    name,
    description,
    partitions: DEFAULT_PARTITIONS,
    keyField,
    cleanupPolicy: 'compact',
    // Small segments and a low dirty ratio so that compaction is visible within a class.
    configs: {
      'cleanup.policy': 'compact',
      'min.cleanable.dirty.ratio': '0.01',
      'segment.ms': '100',
      'delete.retention.ms': '100',
      ...configs,
    },
    schema,
  }
}

function deleteTopic(
  name: string,
  description: string,
  keyField: string,
  schema: z.ZodType,
  retentionMs: number,
  configs: Readonly<Record<string, string>> = {},
): TopicSpec {
  return {
    name,
    description,
    partitions: DEFAULT_PARTITIONS,
    keyField,
    cleanupPolicy: 'delete',
    configs: { 'cleanup.policy': 'delete', 'retention.ms': String(retentionMs), ...configs },
    schema,
  }
}

export const TOPICS: readonly TopicSpec[] = Object.freeze([
  // The log, not the client, stamps each order: the detector's event time is when the order arrived (ADR 0007).
  deleteTopic(ORDERS, 'Orders as the generator or a client sends them', 'account_id', orderSchema, 7 * DAY_MS, {
    'message.timestamp.type': 'LogAppendTime',
  }),
  deleteTopic(
    RISK_SIGNALS,
    "Sliding window metrics per account (the detector's) and credit warnings at 50/75/90% (the router's)",
    'account_id',
    riskSignalRecordSchema,
    7 * DAY_MS,
  ),
  deleteTopic(
    KILL_COMMANDS,
    'Every KILL, UNKILL, THROTTLE, SET_LIMITS, REVERT_LIMITS, APPROVE and REJECT ever asked for: the full history',
    'scope',
    commandSchema,
    365 * DAY_MS,
  ),
  compactedTopic(KILL_STATE, 'Authoritative kill state: the latest status per scope (compacted)', 'scope', killStateSchema),
  deleteTopic(ORDERS_GATED, 'Orders the router allowed through to the market', 'account_id', orderSchema, 7 * DAY_MS),
  deleteTopic(AUDIT, 'One record per router decision, with the corr_id that decided it', 'order_id', auditSchema, 365 * DAY_MS),
  deleteTopic(DEAD_LETTERS, 'Records that failed validation, with the reason', 'source_topic', deadLetterSchema, 30 * DAY_MS),
  // Limits and prices are state like the kill state: every router reads them to their end before it decides.
  compactedTopic(RISK_LIMITS, 'Pre-trade limits per scope, GLOBAL or ACCOUNT:<id> (compacted)', 'scope', limitsRecordSchema),
  // A price is aged by when the log took it: a publisher's clock must not make a stale price look fresh.
  compactedTopic(REFERENCE_PRICES, 'The latest reference price per symbol, for the price collar (compacted)', 'symbol', referencePriceSchema, {
    'message.timestamp.type': 'LogAppendTime',
  }),
  // Held UNKILLs (four-eyes) and what became of them; only the aggregator writes it.
  compactedTopic(APPROVALS, 'Unkills held for a second person\'s approval, and what became of them (compacted)', 'request_id', approvalRecordSchema),
  deleteTopic(
    OPERATOR_ACTIONS,
    'Every operator action tried, by whom, from where, allowed or refused: failed logins too',
    'actor',
    operatorActionSchema,
    365 * DAY_MS,
  ),
])

export const TOPIC_NAMES: readonly string[] = TOPICS.map((topic) => topic.name)

export function findTopic(name: string): TopicSpec | undefined {
  return TOPICS.find((topic) => topic.name === name)
}

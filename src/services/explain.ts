import { decodeJson, decodeOrder } from '../contracts/decode.js'
import { riskSignalSchema } from '../contracts/messages.js'
import { canonicalId } from '../domain/identifiers.js'
import { parseScope } from '../domain/scope.js'
import { DETECTOR_SOURCE } from '../domain/detector.js'
import { RISK_METRICS } from '../domain/risk-rules.js'
import { isCreditWarning } from '../domain/risk-signal.js'
import {
  explain,
  type BreachEvidence,
  type CommandEvidence,
  type DecisionEvidence,
  type OrderEvidence,
  type OrderExplanation,
  type StateEvidence,
} from '../domain/order-explanation.js'
import type { DetectorTopology } from '../config/detector-topology.js'
import { ExitCode, RiskctlError, badInput } from '../errors.js'
import type { EventLog, LogRecord } from '../log/port.js'
import { partitionForKey } from '../log/partitioner.js'
import { decodeCommand } from '../processors/command-codec.js'
import { decodeStateRecord } from '../processors/topic-codec.js'
import { AUDIT, KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS } from '../../topologies/topics.js'
import { AuditIndex, type IndexedAudit } from './audit-index/audit-index.js'
import { searchLog } from './log-search.js'

export interface ExplainInput {
  readonly orderId: string
  /** The detector topology the thresholds are read from, and where it lives. */
  readonly topology: { readonly path: string; readonly settings: DetectorTopology }
}

/** How far around its decision an order without a recorded position is looked for (older router records). */
const ORDER_SEARCH_BEFORE_MS = 10 * 60_000
const ORDER_SEARCH_AFTER_MS = 60_000
/** Commands are few: an hour before the state they made is searched first, then all of the topic. */
const COMMAND_SEARCH_BEFORE_MS = 60 * 60_000
/** The detector's signal is written with its KILL, on its own clock: a few seconds either side cover it. */
const SIGNAL_SEARCH_MS = 5_000

/**
 * The causal chain of one order, from the audit index and the topics themselves: its decision, the order as it lay
 * on orders.v1, the state record that decided it, the command that made that state, the detector's breach behind a
 * detector's kill, and the first order that state dropped.
 */
export async function explainOrder(
  log: EventLog,
  dataDir: string,
  input: ExplainInput,
): Promise<OrderExplanation> {
  const orderId = canonicalOrderId(input.orderId)
  return AuditIndex.use(log, dataDir, async (index) => {
    const [first, ...duplicates] = index.decisionsOf(orderId)
    if (first === undefined) throw orderNotFound(orderId)
    const gaps: string[] = []
    const order = await findOrder(log, orderId, first, gaps)
    const corrId = first.audit.corr_id
    let state: StateEvidence | undefined
    let applied: IndexedAudit | undefined
    let command: CommandEvidence | undefined
    let breach: BreachEvidence | undefined
    let firstDrop: IndexedAudit | undefined
    if (corrId !== '') {
      state = await findState(log, corrId, first.audit.scope_matches)
      // A corr_id is the sender's to choose, and two commands may share one: the scope tells them apart.
      const scopes = state === undefined ? first.audit.scope_matches : [state.state.scope]
      applied = index
        .commandAuditsOf(corrId)
        .find(
          (found) =>
            found.audit.decision === 'APPLIED' && scopes.includes(found.audit.scope_matches[0] ?? ''),
        )
      firstDrop = scopes.map((scope) => index.firstDropOf(corrId, scope)).find((found) => found !== undefined)
      if (state === undefined) {
        gaps.push(
          `no record of killswitch.state.v1 with corr_id ${corrId} remains (a later state of its scope replaced it and compaction removed it)${applied === undefined ? '' : "; the aggregator's audit of its command says when it was applied"}`,
        )
      }
      const anchor = state?.log_ts ?? applied?.audit.ts ?? first.audit.ts
      command = await findCommand(log, corrId, state?.state.last_cmd_id, scopes, anchor)
      if (command === undefined)
        gaps.push(`no command with corr_id ${corrId} is on ${KILL_COMMANDS} (past its retention?)`)
      if (
        command !== undefined &&
        command.command.triggered_by === DETECTOR_SOURCE &&
        command.command.metric !== undefined
      ) {
        breach = await findBreach(log, command, input.topology)
      }
    }
    return explain({
      order_id: orderId,
      basis: basisOf(first, state),
      order,
      decision: decisionEvidence(first),
      duplicates: duplicates.map(decisionEvidence),
      state,
      applied: applied === undefined ? undefined : decisionEvidence(applied),
      command,
      breach,
      first_drop: firstDrop === undefined ? undefined : decisionEvidence(firstDrop),
      gaps,
    })
  })
}

function canonicalOrderId(raw: string): string {
  const canonical = canonicalId('order_id', raw)
  if (!canonical.ok) throw badInput('RISKCTL_ORDER_ID_INVALID', `Not an order_id: ${canonical.problem}.`)
  return canonical.id
}

function orderNotFound(orderId: string): RiskctlError {
  return new RiskctlError(
    `No decision of order ${orderId} is in the audit trail (audit.v1): the router has not decided it, or it was dead-lettered, or it is older than the trail's retention.`,
    {
      code: 'RISKCTL_ORDER_NOT_FOUND',
      exitCode: ExitCode.precondition,
      suggestions: [
        'Find the order_ids the router decided: riskctl audit --since 1h',
        `Look for it among the dead letters: riskctl tail dlq.v1 --from beginning --no-follow`,
      ],
    },
  )
}

function basisOf(decided: IndexedAudit, state: StateEvidence | undefined): string {
  const { decision, check, corr_id: corrId, scope_matches: scopes } = decided.audit
  if (decision === 'DUPLICATE')
    return 'its order_id alone: a copy of an order already decided (no state took part)'
  if (check !== null && check !== undefined && check !== 'KILL_SWITCH' && corrId === '')
    return `the pre-trade check ${check} (no kill-switch state took part)`
  if (corrId === '')
    return 'no kill-switch state or check stopped it: nothing was killed or throttled for its scopes'
  const scope = state === undefined ? scopes.join(', ') : `${state.state.scope} (${state.state.status})`
  return `the kill-switch state of ${scope}, corr_id ${corrId}`
}

function decisionEvidence(found: IndexedAudit): DecisionEvidence {
  return {
    topic: AUDIT,
    partition: found.partition,
    offset: found.offset,
    log_ts: found.audit.ts,
    audit: found.audit,
  }
}

/** Where the router recorded the order's position, read there; else looked for around the decision. */
async function findOrder(
  log: EventLog,
  orderId: string,
  decided: IndexedAudit,
  gaps: string[],
): Promise<OrderEvidence | undefined> {
  const at = parsePosition(decided.audit.order_offset)
  const isIt = (record: LogRecord): boolean => {
    const order = decodeOrder(record.value)
    return order.ok && order.value.order_id === orderId
  }
  if (at !== undefined) {
    const found = await searchLog(
      log,
      ORDERS,
      { start: { type: 'at', ...at }, first: true, maxRecords: 1 },
      () => true,
    )
    const record = found.matches[0]
    if (record !== undefined && record.offset === at.offset && isIt(record)) return orderEvidence(record)
    gaps.push(
      `the router recorded the order at ${ORDERS} ${decided.audit.order_offset}, but ${record === undefined || record.offset !== at.offset ? 'the log holds no record there (past its retention, or a position that never was)' : 'the record there is another order'}`,
    )
    return undefined
  }
  const found = await searchLog(
    log,
    ORDERS,
    {
      start: { type: 'timestamp', timestamp: decided.audit.ts - ORDER_SEARCH_BEFORE_MS },
      untilTs: decided.audit.ts + ORDER_SEARCH_AFTER_MS,
      first: true,
    },
    isIt,
  )
  const record = found.matches[0]
  if (record === undefined) {
    gaps.push(
      `the order is not on ${ORDERS} within ${ORDER_SEARCH_BEFORE_MS / 60_000} minutes before its decision${found.cutShort ? ` (${found.read} records searched)` : ''}`,
    )
    return undefined
  }
  return orderEvidence(record)
}

function parsePosition(text: string | undefined): { partition: number; offset: number } | undefined {
  const match = text === undefined ? null : /^(\d+):(\d+)$/.exec(text)
  return match === null ? undefined : { partition: Number(match[1]), offset: Number(match[2]) }
}

function orderEvidence(record: LogRecord): OrderEvidence {
  const order = decodeOrder(record.value)
  if (!order.ok) throw new Error('an order found by its id decodes')
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    log_ts: record.timestamp,
    order: order.value,
  }
}

/** The state record with this corr_id, in its scope's partition of the compacted state topic (oldest first). */
async function findState(
  log: EventLog,
  corrId: string,
  scopes: readonly string[],
): Promise<StateEvidence | undefined> {
  const partitions = (await log.describeTopic(KILL_STATE)).partitions
  for (const scope of scopes) {
    const found = await searchLog(
      log,
      KILL_STATE,
      { start: { type: 'earliest', partition: partitionForKey(scope, partitions.length) }, first: true },
      (record) => {
        const change = decodeStateRecord(record)
        return change.type === 'state' && change.state.corr_id === corrId && change.state.scope === scope
      },
    )
    const record = found.matches[0]
    if (record === undefined) continue
    const change = decodeStateRecord(record)
    if (change.type === 'state')
      return {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        log_ts: record.timestamp,
        state: change.state,
      }
  }
  return undefined
}

async function findCommand(
  log: EventLog,
  corrId: string,
  cmdId: string | undefined,
  scopes: readonly string[],
  anchor: number,
): Promise<CommandEvidence | undefined> {
  const isIt = (record: LogRecord): boolean => {
    const decoded = decodeCommand(record)
    return (
      decoded.type === 'kill' &&
      decoded.command.corr_id === corrId &&
      scopes.includes(decoded.command.scope) &&
      (cmdId === undefined || decoded.command.cmd_id === cmdId)
    )
  }
  const recent = await searchLog(
    log,
    KILL_COMMANDS,
    { start: { type: 'timestamp', timestamp: anchor - COMMAND_SEARCH_BEFORE_MS }, first: true },
    isIt,
  )
  const record =
    recent.matches[0] ??
    (await searchLog(log, KILL_COMMANDS, { start: { type: 'earliest' }, first: true }, isIt)).matches[0]
  if (record === undefined) return undefined
  const decoded = decodeCommand(record)
  if (decoded.type !== 'kill') return undefined
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    log_ts: record.timestamp,
    command: decoded.command,
  }
}

/** The rule the detector saw breached: its threshold in the topology, and the window from its own signal. */
async function findBreach(
  log: EventLog,
  found: CommandEvidence,
  topology: ExplainInput['topology'],
): Promise<BreachEvidence> {
  const { command } = found
  const metric = command.metric ?? ''
  const scope = parseScope(command.scope)
  const account = scope.ok && scope.scope.kind === 'ACCOUNT' ? scope.scope.id : undefined
  const signals =
    account === undefined
      ? undefined
      : await searchLog(
          log,
          RISK_SIGNALS,
          {
            start: { type: 'timestamp', timestamp: command.ts - SIGNAL_SEARCH_MS },
            untilTs: Math.max(command.ts, found.log_ts) + SIGNAL_SEARCH_MS,
            first: true,
          },
          (record) => {
            const signal = decodeJson(riskSignalSchema, record.value)
            return (
              signal.ok &&
              !isCreditWarning(signal.value) &&
              signal.value.account_id === account &&
              signal.value.ts === command.ts
            )
          },
        )
  const record = signals?.matches[0]
  const signal = record === undefined ? undefined : decodeJson(riskSignalSchema, record.value)
  const common = {
    metric,
    value: command.value ?? Number.NaN,
    threshold: thresholdOf(metric, topology.settings),
    topology: topology.path,
    ts: command.ts,
  }
  if (record !== undefined && signal?.ok === true) {
    return {
      ...common,
      window_start: signal.value.window_start,
      window_end: signal.value.window_end,
      window_from: 'signal',
      signal: {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        log_ts: record.timestamp,
        value: signal.value,
      },
    }
  }
  return {
    ...common,
    window_start: command.ts - topology.settings.windowMs,
    window_end: command.ts,
    window_from: 'topology',
  }
}

function thresholdOf(metric: string, settings: DetectorTopology): number | undefined {
  switch (metric) {
    case RISK_METRICS.orderRate:
      return settings.thresholds.orderCount
    case RISK_METRICS.notional:
      return settings.thresholds.notional
    case RISK_METRICS.concentration:
      return settings.thresholds.topSymbolShare
    case RISK_METRICS.symbolOrderRate:
      return settings.symbolRule.orderCount
    default:
      return undefined
  }
}

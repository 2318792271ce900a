import { decodeOrder } from '../contracts/decode.js'
import {
  bucketMsFor,
  killActivity,
  ratesOf,
  type ControlAction,
  type DropRow,
} from '../domain/kill-activity.js'
import type { HtmlReportView } from '../render/report-html.js'
import { assertPeriod } from '../time-span.js'
import type { EventLog } from '../log/port.js'
import { decodeCommand } from '../processors/command-codec.js'
import { KILL_COMMANDS, ORDERS } from '../../topologies/topics.js'
import { AuditIndex } from './audit-index/audit-index.js'
import { readPositions, searchLog } from './log-search.js'
import { DEFAULT_GRACE_MS, DEFAULT_STALL_MS, reconcileLog, type ReconcileReport } from './reconcile.js'

export interface ReportOptions {
  readonly fromMs: number
  readonly toMs: number
}

/** The report's figures; its forms (src/render/report-*.ts) print the view they share. */
export interface KillActivityReport extends HtmlReportView {
  readonly reconciliation: Omit<ReconcileReport, 'breaks'> & {
    readonly breaks: number
    readonly first_breaks: ReconcileReport['breaks']
  }
  /** The audit records carry no hash chain: there is none to check, and the report says so rather than vouch for it. */
  readonly audit_chain: { readonly checked: false; readonly why: string }
}

/** Commands are sent before they are applied; an hour before the period covers any wait for the aggregator. */
const COMMAND_LOOKBACK_MS = 60 * 60_000
const APPLIED = /^APPLIED (\S+) /
const KILL_OR_THROTTLE = /^APPLIED (KILL|THROTTLE) /

/**
 * The kill activity of a period, for the annual review and after an incident: every control applied, each kill's
 * duration, drops, notional stopped and time to block, the flow allowed and dropped over time, and whether the
 * period's log balances.
 */
export async function killActivityReport(
  log: EventLog,
  dataDir: string,
  options: ReportOptions,
): Promise<KillActivityReport> {
  assertPeriod(options.fromMs, options.toMs)
  const bucketMs = bucketMsFor(options.toMs - options.fromMs)
  const drops: (Omit<DropRow, 'notional'> & { readonly order_offset: string | undefined })[] = []
  const { applied, counts } = await AuditIndex.use(log, dataDir, (index) => {
    drops.length = 0
    // Every change up to the period's end: those before it tell which kills were still in force at its start.
    const changes = index.appliedCommands().filter((found) => found.audit.ts <= options.toMs)
    const corrIds = new Set(
      changes
        .filter((found) => KILL_OR_THROTTLE.test(found.audit.reason))
        .map((found) => found.audit.corr_id),
    )
    for (const corrId of corrIds) {
      for (const drop of index.dropsUnder(corrId, options.fromMs, options.toMs)) {
        drops.push({
          at: `${drop.partition}:${drop.offset}`,
          corr_id: corrId,
          scopes: drop.audit.scope_matches,
          ts: drop.audit.ts,
          order_offset: drop.audit.order_offset,
        })
      }
    }
    return { applied: changes, counts: index.decisionCounts(options.fromMs, options.toMs, bucketMs) }
  })
  const earliest = Math.min(options.fromMs, ...applied.slice(0, 1).map((found) => found.audit.ts))
  const commands = await commandsOf(log, earliest - COMMAND_LOOKBACK_MS)
  const changes: ControlAction[] = applied.map((found) => {
    const action = APPLIED.exec(found.audit.reason)?.[1] ?? 'APPLIED'
    const scope = found.audit.scope_matches[0] ?? ''
    const command = commands.get(commandKey(found.audit.corr_id, scope, action))
    return {
      ts: found.audit.ts,
      action,
      scope,
      corr_id: found.audit.corr_id,
      cmd_id: command?.cmd_id,
      who: command === undefined ? undefined : (command.operator ?? command.triggered_by),
      reason: command?.reason,
      metric: command?.metric,
      value: command?.value,
      sent_ts: command?.ts,
    }
  })
  const actions = changes.filter((action) => action.ts >= options.fromMs)
  const notional = await notionalAt(log, drops)
  const {
    episodes,
    orders_dropped: ordersDropped,
    notional_stopped: notionalStopped,
  } = killActivity(
    changes,
    drops.map(({ order_offset: at, ...drop }) => ({
      ...drop,
      notional: at === undefined ? undefined : notional.get(at),
    })),
    options.fromMs,
    options.toMs,
  )
  const reconciled = await reconcileLog(log, dataDir, {
    fromMs: options.fromMs,
    toMs: options.toMs,
    graceMs: DEFAULT_GRACE_MS,
    stallMs: DEFAULT_STALL_MS,
  })
  const { breaks, ...balance } = reconciled
  const rates = ratesOf(counts, bucketMs)
  return {
    from: options.fromMs,
    to: options.toMs,
    generated_ts: Date.now(),
    // Nothing to report only when nothing happened and the period balances: a break is always reported.
    empty:
      actions.length === 0 &&
      episodes.length === 0 &&
      rates.length === 0 &&
      reconciled.orders === 0 &&
      breaks.length === 0,
    actions,
    episodes,
    totals: {
      kills: actions.filter((a) => a.action === 'KILL').length,
      throttles: actions.filter((a) => a.action === 'THROTTLE').length,
      unkills: actions.filter((a) => a.action === 'UNKILL').length,
      limits_changes: actions.filter((a) => a.action.endsWith('_LIMITS')).length,
      orders_dropped: ordersDropped,
      notional_stopped: notionalStopped,
    },
    rates,
    bucket_ms: bucketMs,
    reconciliation: { ...balance, breaks: breaks.length, first_breaks: breaks.slice(0, 20) },
    audit_chain: { checked: false, why: 'the audit records of this version carry no hash chain' },
  }
}

interface CommandFacts {
  readonly cmd_id: string
  readonly ts: number
  readonly action: string
  readonly scope: string
  readonly reason: string
  readonly triggered_by: string
  readonly operator?: string | undefined
  readonly metric?: string | undefined
  readonly value?: number | undefined
}

/** A corr_id is the sender's to choose, and two commands may share one: a command is its corr_id, scope and action. */
function commandKey(corrId: string, scope: string, action: string): string {
  return `${corrId}\u0000${scope}\u0000${action}`
}

/** The commands on killswitch.commands.v1 from `sinceMs` on, by commandKey (the first one of each). */
async function commandsOf(log: EventLog, sinceMs: number): Promise<Map<string, CommandFacts>> {
  const byCorr = new Map<string, CommandFacts>()
  await searchLog(log, KILL_COMMANDS, { start: { type: 'timestamp', timestamp: sinceMs } }, (record) => {
    const decoded = decodeCommand(record)
    if (decoded.type === 'invalid') return false
    const command = decoded.command
    const key = commandKey(command.corr_id, command.scope, command.action)
    if (byCorr.has(key)) return false
    byCorr.set(key, {
      ...command,
      metric: decoded.type === 'kill' ? decoded.command.metric : undefined,
      value: decoded.type === 'kill' ? decoded.command.value : undefined,
    })
    return false
  })
  return byCorr
}

/** The notional (qty × price) of the orders at these positions of orders.v1. */
async function notionalAt(
  log: EventLog,
  drops: readonly { readonly order_offset: string | undefined }[],
): Promise<Map<string, number>> {
  const records = await readPositions(
    log,
    ORDERS,
    drops.flatMap((drop) => (drop.order_offset === undefined ? [] : [drop.order_offset])),
  )
  const notional = new Map<string, number>()
  for (const [at, record] of records) {
    const order = decodeOrder(record.value)
    if (order.ok) notional.set(at, order.value.qty * order.value.price)
  }
  return notional
}

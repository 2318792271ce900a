import { decodeOrder } from '../contracts/decode.js'
import { bucketMsFor, episodesOf, ratesOf, type ControlAction, type DropRow } from '../domain/kill-activity.js'
import type { HtmlReportView } from '../render/report-html.js'
import { assertPeriod } from '../time-span.js'
import type { EventLog } from '../log/port.js'
import { decodeCommand } from '../processors/command-codec.js'
import { KILL_COMMANDS, ORDERS } from '../../topologies/topics.js'
import { AuditIndex } from './audit-index/audit-index.js'
import { searchLog } from './log-search.js'
import { reconcileLog, type ReconcileReport } from './reconcile.js'

export interface ReportOptions {
  readonly fromMs: number
  readonly toMs: number
}

/** The report's figures; its forms (src/render/report-*.ts) print the view they share. */
export interface KillActivityReport extends HtmlReportView {
  readonly reconciliation: Omit<ReconcileReport, 'breaks'> & { readonly breaks: number; readonly first_breaks: ReconcileReport['breaks'] }
  /** The audit records carry no hash chain: there is none to check, and the report says so rather than vouch for it. */
  readonly audit_chain: { readonly checked: false; readonly why: string }
}

/** Commands are sent before they are applied; an hour before the period covers any wait for the aggregator. */
const COMMAND_LOOKBACK_MS = 60 * 60_000
const APPLIED = /^APPLIED (\S+) /

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
  const index = AuditIndex.open(dataDir, log.description)
  let applied
  let counts
  const dropsByCorr = new Map<string, { ts: number; order_offset: string | undefined }[]>()
  try {
    await index.catchUp(log)
    applied = index
      .appliedCommands()
      .filter((found) => found.audit.ts >= options.fromMs && found.audit.ts <= options.toMs)
    counts = index.decisionCounts(options.fromMs, options.toMs, bucketMs)
    for (const found of applied) {
      if (!/^APPLIED (KILL|THROTTLE) /.test(found.audit.reason) || dropsByCorr.has(found.audit.corr_id))
        continue
      dropsByCorr.set(
        found.audit.corr_id,
        index
          .dropsUnder(found.audit.corr_id)
          .map((drop) => ({ ts: drop.audit.ts, order_offset: drop.audit.order_offset })),
      )
    }
  } finally {
    index.close()
  }
  const commands = await commandsByCorr(log, options.fromMs - COMMAND_LOOKBACK_MS)
  const actions: ControlAction[] = applied.map((found) => {
    const command = commands.get(found.audit.corr_id)
    return {
      ts: found.audit.ts,
      action: APPLIED.exec(found.audit.reason)?.[1] ?? command?.action ?? 'APPLIED',
      scope: found.audit.scope_matches[0] ?? command?.scope ?? '',
      corr_id: found.audit.corr_id,
      cmd_id: command?.cmd_id,
      who: command === undefined ? undefined : (command.operator ?? command.triggered_by),
      reason: command?.reason,
      metric: command?.metric,
      value: command?.value,
      sent_ts: command?.ts,
    }
  })
  const notional = await notionalAt(log, [...dropsByCorr.values()].flat())
  const drops: DropRow[] = [...dropsByCorr].flatMap(([corrId, list]) =>
    list.map((drop) => ({
      corr_id: corrId,
      ts: drop.ts,
      notional: drop.order_offset === undefined ? undefined : notional.get(drop.order_offset),
    })),
  )
  const episodes = episodesOf(actions, drops, options.toMs)
  const reconciled = await reconcileLog(log, dataDir, {
    fromMs: options.fromMs,
    toMs: options.toMs,
    graceMs: 1000,
  })
  const { breaks, ...balance } = reconciled
  const rates = ratesOf(counts, bucketMs)
  return {
    from: options.fromMs,
    to: options.toMs,
    generated_ts: Date.now(),
    empty: actions.length === 0 && rates.length === 0 && reconciled.orders === 0,
    actions,
    episodes,
    totals: {
      kills: actions.filter((a) => a.action === 'KILL').length,
      throttles: actions.filter((a) => a.action === 'THROTTLE').length,
      unkills: actions.filter((a) => a.action === 'UNKILL').length,
      limits_changes: actions.filter((a) => a.action.endsWith('_LIMITS')).length,
      orders_dropped: episodes.reduce((sum, e) => sum + e.orders_dropped, 0),
      notional_stopped: episodes.reduce((sum, e) => sum + e.notional_stopped, 0),
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

/** The commands on killswitch.commands.v1 from `sinceMs` on, by corr_id (the first one of each). */
async function commandsByCorr(log: EventLog, sinceMs: number): Promise<Map<string, CommandFacts>> {
  const byCorr = new Map<string, CommandFacts>()
  await searchLog(log, KILL_COMMANDS, { start: { type: 'timestamp', timestamp: sinceMs } }, (record) => {
    const decoded = decodeCommand(record)
    if (decoded.type === 'invalid' || byCorr.has(decoded.command.corr_id)) return false
    const command = decoded.command
    byCorr.set(command.corr_id, {
      ...command,
      metric: decoded.type === 'kill' ? decoded.command.metric : undefined,
      value: decoded.type === 'kill' ? decoded.command.value : undefined,
    })
    return false
  })
  return byCorr
}

/**
 * The notional (qty × price) of the orders at these positions of orders.v1: each partition read once, from the first
 * of its positions to the last.
 */
async function notionalAt(
  log: EventLog,
  drops: readonly { readonly order_offset: string | undefined }[],
): Promise<Map<string, number>> {
  const spans = new Map<number, { first: number; last: number }>()
  const wanted = new Set<string>()
  for (const { order_offset: at } of drops) {
    const match = at === undefined ? null : /^(\d+):(\d+)$/.exec(at)
    if (match === null) continue
    wanted.add(at!)
    const [partition, offset] = [Number(match[1]), Number(match[2])]
    const span = spans.get(partition)
    spans.set(
      partition,
      span === undefined
        ? { first: offset, last: offset }
        : { first: Math.min(span.first, offset), last: Math.max(span.last, offset) },
    )
  }
  const notional = new Map<string, number>()
  for (const [partition, { first, last }] of spans) {
    await searchLog(
      log,
      ORDERS,
      { start: { type: 'at', partition, offset: first }, maxRecords: last - first + 1 },
      (record) => {
        const at = `${record.partition}:${record.offset}`
        if (!wanted.has(at)) return false
        const order = decodeOrder(record.value)
        if (order.ok) notional.set(at, order.value.qty * order.value.price)
        return false
      },
    )
  }
  return notional
}

import type { ChalkInstance } from 'chalk'
import type { LimitsRecord } from '../domain/pretrade/limits-command.js'
import type { RiskLimits } from '../domain/pretrade/risk-limits.js'
import type { LimitsSetOutcome } from '../services/limits.js'
import { renderTable } from './table.js'

/** `riskctl limits show`: each scope's limits, who set them, why, and until when. */
export function renderLimitsRecords(records: readonly LimitsRecord[], style: ChalkInstance): string {
  if (records.length === 0) return 'No limits set at run time: the topology defaults (topologies/limits.json) apply.'
  return renderTable(
    ['scope', 'limits', 'by', 'updated', 'reason', 'expires'],
    records.map((record) => [
      style.bold(record.scope),
      describeLimits(record.limits),
      record.updated_by,
      new Date(record.updated_ts).toISOString(),
      record.reason,
      expiry(record, style),
    ]),
  )
}

export function renderLimitsOutcome(outcome: LimitsSetOutcome, style: ChalkInstance): string {
  switch (outcome.outcome) {
    case 'confirmed':
      return `${describeRecord(outcome.record, style)}\n${style.dim(`cmd_id ${outcome.command.cmd_id} · corr_id ${outcome.command.corr_id}`)}`
    case 'published':
      return (
        `${outcome.command.action} ${outcome.command.scope} published (not waiting for risk_limits.v1 to confirm it)\n` +
        style.dim(`cmd_id ${outcome.command.cmd_id} · corr_id ${outcome.command.corr_id} · check with: riskctl limits show`)
      )
    case 'unchanged':
      return `${outcome.record === undefined ? `${outcome.scope} has no limits of its own` : describeRecord(outcome.record, style)}\n${style.dim(`left as it is: ${outcome.reason}`)}`
  }
}

function describeRecord(record: LimitsRecord, style: ChalkInstance): string {
  const until = record.expires_ts === undefined ? '' : `, ${expiry(record, style)}`
  return `${style.bold(record.scope)} ${describeLimits(record.limits)} by ${record.updated_by} at ${new Date(record.updated_ts).toISOString()}${until} — ${record.reason}`
}

/** The limits a record sets, in the order the router checks them. */
export function describeLimits(limits: RiskLimits): string {
  const parts = [
    limits.restricted_symbols?.length ? `restricted ${limits.restricted_symbols.join(',')}` : undefined,
    limits.max_order_qty === undefined ? undefined : `max qty ${limits.max_order_qty}`,
    limits.max_order_notional === undefined ? undefined : `max notional ${limits.max_order_notional}`,
    limits.allow_without_reference === undefined ? undefined : `without reference ${limits.allow_without_reference ? 'allowed' : 'refused'}`,
    limits.collar_pct === undefined ? undefined : `collar ${limits.collar_pct}%`,
    limits.collar_abs === undefined ? undefined : `collar abs ${limits.collar_abs}`,
    limits.message_rate === undefined ? undefined : `${limits.message_rate} msgs/s`,
    limits.credit_limit === undefined ? undefined : `credit ${limits.credit_limit}`,
  ].filter((part) => part !== undefined)
  return parts.length === 0 ? '(defaults)' : parts.join(' · ')
}

function expiry(record: LimitsRecord, style: ChalkInstance): string {
  if (record.expires_ts === undefined) return ''
  const past = record.expires_ts <= Date.now()
  // Past its expiry a router enforces what the change replaced, whether or not the REVERT has come.
  const text = `until ${new Date(record.expires_ts).toISOString()}, then ${describeLimits(record.reverts_to ?? {})}`
  return past ? style.yellow(`${text} (expired)`) : text
}

import type { AuditRecord } from '../domain/audit-record.js'
import type { KillState } from '../domain/kill-status.js'
import { AUDIT_TTL_ATTRIBUTE } from '../../topologies/aws/names.js'

/** DynamoDB's attribute-value form, for the few types riskctl stores. */
export type AttributeValue = { readonly S: string } | { readonly N: string }
export type Item = Readonly<Record<string, AttributeValue>>

/** Audit records age out with audit.v1's own retention, so the index never outlives the log. */
export const AUDIT_TTL_SECONDS = 365 * 24 * 60 * 60

/**
 * One audit index item: partitioned by account (the operator's usual question is "what happened
 * to this account"), sorted by time then order id so a range is one Query.
 */
export function auditItem(audit: AuditRecord): Item {
  return {
    account_id: { S: audit.account_id === '' ? '-' : audit.account_id },
    ts_order: { S: `${String(audit.ts).padStart(15, '0')}#${audit.order_id}` },
    order_id: { S: audit.order_id },
    decision: { S: audit.decision },
    corr_id: { S: audit.corr_id },
    record: { S: JSON.stringify(audit) },
    [AUDIT_TTL_ATTRIBUTE]: { N: String(Math.floor(audit.ts / 1000) + AUDIT_TTL_SECONDS) },
  }
}

/** The state cache holds the latest state per scope, as the compacted topic does. */
export function stateItem(state: KillState): Item {
  return {
    scope: { S: state.scope },
    status: { S: state.status },
    updated_ts: { N: String(state.updated_ts) },
    record: { S: JSON.stringify(state) },
  }
}

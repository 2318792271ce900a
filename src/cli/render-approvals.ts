import type { ChalkInstance } from 'chalk'
import type { ApprovalRecord } from '../domain/approval.js'
import type { AnswerOutcome } from '../services/approvals.js'
import { describeState } from './render-kill-switch.js'
import { renderTable } from './table.js'

/** `riskctl approvals list`: one row per request, newest first. */
export function renderApprovals(requests: readonly ApprovalRecord[], style: ChalkInstance, now = Date.now()): string {
  if (requests.length === 0) return 'No UNKILL is waiting for approval.'
  return renderTable(
    ['request', 'scope', 'asked by', 'status', 'until / decided', 'reason'],
    requests.map((r) => [
      r.request_id.slice(0, 8),
      r.scope,
      r.requested_by,
      statusWord(r, style, now),
      new Date(r.status === 'PENDING' ? r.expires_ts : (r.decided_ts ?? r.expires_ts)).toISOString(),
      r.status === 'PENDING' ? r.reason : `${r.reason}${r.decision_reason === undefined ? '' : ` → ${r.decision_reason}`}`,
    ]),
  )
}

function statusWord(request: ApprovalRecord, style: ChalkInstance, now: number): string {
  if (request.status === 'PENDING') return now > request.expires_ts ? style.yellow('EXPIRING') : style.yellow('PENDING')
  const by = request.decided_by === undefined ? '' : ` by ${request.decided_by}`
  return request.status === 'APPROVED' ? style.green(`APPROVED${by}`) : style.red(`${request.status}${by}`)
}

export function renderAnswer(outcome: AnswerOutcome, style: ChalkInstance): string {
  switch (outcome.outcome) {
    case 'approved':
      return `${describeState(outcome.state, style)}\n${style.dim(`request ${outcome.request.request_id} approved by ${outcome.request.decided_by ?? '?'} · corr_id ${outcome.request.corr_id}`)}`
    case 'rejected':
      return `UNKILL ${outcome.request.scope} rejected by ${outcome.request.decided_by ?? '?'}: it stays as it is\n${style.dim(`request ${outcome.request.request_id} · corr_id ${outcome.request.corr_id}`)}`
    case 'published':
      return `${outcome.command.action} of request ${outcome.request.request_id} published (not shown carried out yet)\n${style.dim('check with: riskctl approvals list --all')}`
  }
}

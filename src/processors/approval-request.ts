import { randomUUID } from 'node:crypto'
import { APPROVALS, AUDIT, KILL_STATE } from '../../topologies/topics.js'
import { approvalCommandSchema, approvalRecordSchema } from '../contracts/approvals.js'
import { auditSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import { formatIssues } from '../contracts/format-issues.js'
import { approverRefusal, samePerson, type ApprovalAction, type ApprovalCommand, type ApprovalRecord } from '../domain/approval.js'
import type { KillState } from '../domain/kill-status.js'
import { badInput, ExitCode, RiskctlError } from '../errors.js'
import type { EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'
import { AGGREGATOR_SERVICE } from './aggregator-step.js'
import { CONFIRM_TIMEOUT_MS, publishCommand } from './operator-command.js'
import type { ActionOrigin } from './operator-trail.js'
import { decodeStateRecord } from './topic-codec.js'

/** The shortest prefix of a request id `riskctl approve` takes (`approvals list` shows 8 characters). */
export const MIN_ID_PREFIX = 6

export type AnswerOutcome =
  | { readonly outcome: 'approved'; readonly request: ApprovalRecord; readonly state: KillState }
  | { readonly outcome: 'rejected'; readonly request: ApprovalRecord }
  | { readonly outcome: 'published'; readonly command: ApprovalCommand; readonly request: ApprovalRecord }

/** Every held request and what became of it, newest first, from the compacted killswitch.approvals.v1. */
export async function readApprovals(log: EventLog): Promise<ApprovalRecord[]> {
  const view = await log.readCompacted(APPROVALS)
  const records: ApprovalRecord[] = []
  for (const record of view.records.values()) {
    const approval = approvalIn(record)
    if (approval !== undefined && approval.request_id === record.key) records.push(approval)
  }
  return records.sort((a, b) => b.requested_ts - a.requested_ts)
}

/** The request an id names: the whole request_id, or a prefix of at least six characters that names one only. */
export function findRequest(requests: readonly ApprovalRecord[], id: string): ApprovalRecord {
  const wanted = id.trim().toLowerCase()
  // A request whose whole id is another's prefix is no better a match: both are named, so neither is chosen.
  const matching = requests.filter((request) => {
    const candidate = request.request_id.toLowerCase()
    return candidate === wanted || (wanted.length >= MIN_ID_PREFIX && candidate.startsWith(wanted))
  })
  if (matching.length === 1) return matching[0]!
  if (matching.length > 1) {
    throw badInput('RISKCTL_REQUEST_AMBIGUOUS', `${id} names ${matching.length} requests: ${matching.map((r) => r.request_id).join(', ')}.`, ['Give more of the id.'])
  }
  throw badInput('RISKCTL_REQUEST_UNKNOWN', `There is no request ${JSON.stringify(id)}.`, [
    wanted.length < MIN_ID_PREFIX ? `Give at least ${MIN_ID_PREFIX} characters of its id.` : 'See the held requests: riskctl approvals list --all',
  ])
}

/**
 * Whether this person may answer this request now: it is still held and not past its expiry, and an approver is not
 * the person who asked. The aggregator judges the same again; this says it before anything is sent.
 */
export function checkAnswer(request: ApprovalRecord, operator: string, action: ApprovalAction, nowMs: number): void {
  if (request.status !== 'PENDING') {
    const by = request.decided_by === undefined ? '' : ` by ${request.decided_by}`
    throw new RiskctlError(`Request ${request.request_id} (${request.action} ${request.scope}) is ${request.status}${by} already.`, {
      code: 'RISKCTL_REQUEST_DECIDED',
      exitCode: ExitCode.precondition,
      suggestions: ['See it: riskctl approvals list --all'],
    })
  }
  if (nowMs > request.expires_ts) {
    throw new RiskctlError(`Request ${request.request_id} (${request.action} ${request.scope}) expired at ${new Date(request.expires_ts).toISOString()}.`, {
      code: 'RISKCTL_REQUEST_EXPIRED',
      exitCode: ExitCode.precondition,
      suggestions: [`Ask again: riskctl unkill ${request.scope} --reason "..."`],
    })
  }
  const notAPerson = action === 'APPROVE' ? approverRefusal(operator) : undefined
  if (notAPerson !== undefined) {
    throw new RiskctlError(`${notAPerson}.`, {
      code: 'RISKCTL_APPROVER_UNNAMED',
      exitCode: ExitCode.unauthorised,
      suggestions: ['Approve with a personal token (riskctl users add NAME --role supervisor) through --api, or as a user the log authenticates.'],
    })
  }
  if (action === 'APPROVE' && samePerson(operator, request.requested_by)) {
    throw new RiskctlError(`${operator} asked for this ${request.action} of ${request.scope} and may not approve it: a second person must.`, {
      code: 'RISKCTL_SELF_APPROVAL',
      exitCode: ExitCode.unauthorised,
      suggestions: ['Ask another supervisor to run: riskctl approve ' + request.request_id.slice(0, 8) + ' --reason "..."'],
    })
  }
}

export function buildApprovalCommand(request: ApprovalRecord, action: ApprovalAction, operator: string, reason: string, nowMs = Date.now()): ApprovalCommand {
  if (reason.trim() === '') throw badInput('RISKCTL_REASON_MISSING', 'A reason is required: it goes into the audit trail.', ['Add --reason "why".'])
  const parsed = approvalCommandSchema.safeParse({
    cmd_id: randomUUID(),
    ts: nowMs,
    action,
    request_id: request.request_id,
    scope: request.scope,
    reason: reason.trim(),
    triggered_by: 'operator',
    operator,
    corr_id: request.corr_id,
  })
  if (!parsed.success) throw badInput('RISKCTL_COMMAND_INVALID', formatIssues(parsed.error))
  return parsed.data
}

export interface AnswerOptions {
  readonly wait: boolean
  readonly origin: ActionOrigin
  readonly timeoutMs?: number | undefined
  readonly signal?: AbortSignal | undefined
  /** Told once the answer is on the log (and whether with its trail entry): whatever the wait says, it was sent. */
  readonly onPublished?: ((command: ApprovalCommand, trailed: boolean) => void) | undefined
}

/**
 * `riskctl approve` and `riskctl reject` on the log: find the request, check the answer, publish it, then follow the
 * approvals, the state and the trail until the aggregator has carried it out (or refused it).
 */
export async function answerRequest(
  log: EventLog,
  input: { readonly id: string; readonly action: ApprovalAction; readonly operator: string; readonly reason: string },
  options: AnswerOptions,
): Promise<AnswerOutcome> {
  const request = findRequest(await readApprovals(log), input.id)
  checkAnswer(request, input.operator, input.action, Date.now())
  const command = buildApprovalCommand(request, input.action, input.operator, input.reason)
  const from = await log.endOffsets([APPROVALS, KILL_STATE, AUDIT])
  const { trailed } = await publishCommand(log, command, options.origin)
  options.onPublished?.(command, trailed)
  if (!options.wait) return { outcome: 'published', command, request }
  return outcomeOf(log, command, request, from, options)
}

async function outcomeOf(
  log: EventLog,
  command: ApprovalCommand,
  request: ApprovalRecord,
  from: readonly TopicPartitionOffset[],
  options: AnswerOptions,
): Promise<AnswerOutcome> {
  const timeoutMs = options.timeoutMs ?? CONFIRM_TIMEOUT_MS
  const deadline = Date.now() + timeoutMs
  const answers = await log.consumer({ topics: [APPROVALS, KILL_STATE, AUDIT], from: { type: 'offsets', offsets: from } })
  // The approvals record and the state come in one write, but a reader of several topics may see either first.
  let decided: ApprovalRecord | undefined
  let applied: KillState | undefined
  try {
    while (Date.now() < deadline && !options.signal?.aborted) {
      for (const record of await answers.poll({ maxRecords: 5000, maxWaitMs: Math.min(100, deadline - Date.now()) })) {
        if (record.topic === APPROVALS) {
          const approval = approvalIn(record)
          if (approval?.request_id !== request.request_id || approval.status === 'PENDING') continue
          decided = approval
          if (approval.status === 'REJECTED') return { outcome: 'rejected', request: approval }
          if (approval.status === 'EXPIRED' || approval.status === 'CANCELLED') throw expiredMeanwhile(approval)
        } else if (record.topic === KILL_STATE) {
          const change = decodeStateRecord(record)
          if (change.type === 'state' && change.state.last_cmd_id === request.request_id && change.state.scope === request.scope) applied = change.state
        } else {
          const refusal = refusalOf(record, command, request)
          if (refusal !== undefined) throw refused(command, refusal)
        }
        if (decided?.status === 'APPROVED' && applied !== undefined) return { outcome: 'approved', request: decided, state: applied }
      }
    }
    throw new RiskctlError(`The ${command.action} of request ${request.request_id} was published (cmd_id ${command.cmd_id}) but not shown carried out within ${timeoutMs / 1000} s.`, {
      code: 'RISKCTL_NOT_CONFIRMED',
      exitCode: ExitCode.unexpected,
      suggestions: ['Start the processors: riskctl up (the aggregator carries it out).', 'Check it later: riskctl approvals list --all'],
    })
  } finally {
    await answers.close()
  }
}

/** The aggregator's refusal of this answer, or of the approved UNKILL itself (a KILL came after it). */
function refusalOf(record: LogRecord, command: ApprovalCommand, request: ApprovalRecord): string | undefined {
  if (record.key !== command.cmd_id && record.key !== request.request_id) return undefined
  const audit = decodeJson(auditSchema, record.value)
  if (!audit.ok || audit.value.service !== AGGREGATOR_SERVICE || audit.value.decision !== 'REFUSED' || audit.value.corr_id !== request.corr_id) return undefined
  // The request's own REFUSED after a REJECT is the rejection, not a refusal of it.
  if (record.key === request.request_id && command.action === 'REJECT') return undefined
  return audit.value.reason
}

function approvalIn(record: LogRecord): ApprovalRecord | undefined {
  if (record.value === null) return undefined
  const decoded = decodeJson(approvalRecordSchema, record.value)
  return decoded.ok ? decoded.value : undefined
}

function refused(command: ApprovalCommand, reason: string): RiskctlError {
  return new RiskctlError(`The aggregator did not carry out the ${command.action} of request ${command.request_id}: ${reason}`, {
    code: 'RISKCTL_COMMAND_REFUSED',
    exitCode: ExitCode.precondition,
    suggestions: ['See it in the trail: riskctl audit --corr-id ' + command.corr_id],
  })
}

function expiredMeanwhile(request: ApprovalRecord): RiskctlError {
  return new RiskctlError(`Request ${request.request_id} (${request.action} ${request.scope}) is ${request.status}, not carried out: ${request.decision_reason ?? ''}`, {
    code: request.status === 'EXPIRED' ? 'RISKCTL_REQUEST_EXPIRED' : 'RISKCTL_REQUEST_DECIDED',
    exitCode: ExitCode.precondition,
    suggestions: [`Ask again: riskctl unkill ${request.scope} --reason "..."`],
  })
}

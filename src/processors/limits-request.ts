import { auditSchema } from '../contracts/messages.js'
import { limitsRecordSchema } from '../contracts/risk-limits.js'
import { decodeJson } from '../contracts/decode.js'
import type { LimitsCommand, LimitsRecord } from '../domain/pretrade/limits-command.js'
import { ExitCode, RiskctlError } from '../errors.js'
import type { EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'
import { AGGREGATOR_SERVICE } from './aggregator-step.js'
import { publishCommand } from './operator-command.js'
import type { ActionOrigin } from './operator-trail.js'
import { AUDIT, RISK_LIMITS } from '../../topologies/topics.js'
import { CONFIRM_TIMEOUT_MS } from './operator-command.js'
import { buildLimitsCommand, limitsScope, type LimitsCommandInput } from './limits-command-input.js'

export type LimitsSetOutcome =
  | { readonly outcome: 'confirmed'; readonly command: LimitsCommand; readonly record: LimitsRecord }
  | { readonly outcome: 'published'; readonly command: LimitsCommand }
  /** The aggregator had handled this command before: its record is as it stands. */
  | { readonly outcome: 'unchanged'; readonly scope: string; readonly record: LimitsRecord | undefined; readonly reason: string }

export interface LimitsSetOptions {
  readonly wait: boolean
  readonly timeoutMs?: number | undefined
  readonly signal?: AbortSignal | undefined
  /** Told the command once it is on the log: whatever the wait then answers, it was sent. */
  readonly onPublished?: ((command: LimitsCommand) => void) | undefined
  /** Where the change came in, for the operator-action trail. */
  readonly origin: ActionOrigin
}

/**
 * An operator's SET_LIMITS on the event log, as `riskctl kill` sends a KILL: publish it, then wait until
 * risk_limits.v1 shows it applied. A change nobody applies is a failure: no aggregator is running. The record is
 * read first, so that a loosening is never older than the record it changes (the aggregator refuses that as stale,
 * and this machine's clock may be behind the one that wrote it).
 */
export async function requestLimits(
  openLog: () => Promise<EventLog>,
  input: LimitsCommandInput,
  options: LimitsSetOptions,
): Promise<LimitsSetOutcome> {
  // Bad input is refused before the log is even opened: nothing is published, whatever state the log is in.
  const built = buildLimitsCommand(input)
  const log = await openLog()
  void log.prepareProduce?.()
  const view = await log.readCompacted(RISK_LIMITS)
  const current = recordIn(view.records.get(built.scope))
  const command = current !== undefined && built.ts < current.updated_ts ? { ...built, ts: current.updated_ts } : built
  if (!options.wait) {
    await publishCommand(log, command, options.origin)
    options.onPublished?.(command)
    return { outcome: 'published', command }
  }
  const from = [...view.endOffsets, ...(await log.endOffsets([AUDIT]))]
  await publishCommand(log, command, options.origin)
  options.onPublished?.(command)
  return answerOf(log, command, from, options)
}

/** Each scope's limits record, read from the compacted risk_limits.v1 to its end: GLOBAL first, then by account. */
export async function readLimits(openLog: () => Promise<EventLog>, scope?: string): Promise<LimitsRecord[]> {
  const only = scope === undefined ? undefined : limitsScope(scope)
  const view = await (await openLog()).readCompacted(RISK_LIMITS)
  const records: LimitsRecord[] = []
  for (const record of view.records.values()) {
    const limits = recordIn(record)
    if (limits !== undefined && limits.scope === record.key && (only === undefined || limits.scope === only)) records.push(limits)
  }
  return records.sort((a, b) => Number(b.scope === 'GLOBAL') - Number(a.scope === 'GLOBAL') || a.scope.localeCompare(b.scope))
}

/** Follows risk_limits.v1 and the audit trail from `from` until the aggregator has answered the command. */
async function answerOf(
  log: EventLog,
  command: LimitsCommand,
  from: readonly TopicPartitionOffset[],
  options: LimitsSetOptions,
): Promise<LimitsSetOutcome> {
  const timeoutMs = options.timeoutMs ?? CONFIRM_TIMEOUT_MS
  const deadline = Date.now() + timeoutMs
  const answers = await log.consumer({ topics: [RISK_LIMITS, AUDIT], from: { type: 'offsets', offsets: from } })
  let applied = false
  try {
    while (Date.now() < deadline && !options.signal?.aborted) {
      for (const record of await answers.poll({ maxRecords: 5000, maxWaitMs: Math.min(100, deadline - Date.now()) })) {
        if (record.topic === RISK_LIMITS) {
          const limits = recordIn(record)
          if (limits !== undefined && isRecordOf(limits, command)) return { outcome: 'confirmed', command, record: limits }
          continue
        }
        const audit = aggregatorAuditOf(record, command)
        if (audit?.decision === 'APPLIED') applied = true
        if (audit?.decision === 'REFUSED') throw refused(command, audit.reason)
        if (audit?.decision === 'DUPLICATE' && !applied) {
          const now = recordIn((await log.readCompacted(RISK_LIMITS)).records.get(command.scope))
          return { outcome: 'unchanged', scope: command.scope, record: now, reason: audit.reason }
        }
      }
    }
    throw notConfirmed(command, timeoutMs)
  } finally {
    await answers.close()
  }
}

function isRecordOf(record: LimitsRecord, command: LimitsCommand): boolean {
  return record.last_cmd_id === command.cmd_id && record.scope === command.scope && record.corr_id === command.corr_id
}

function recordIn(record: LogRecord | undefined): LimitsRecord | undefined {
  if (record === undefined) return undefined
  const decoded = decodeJson(limitsRecordSchema, record.value)
  return decoded.ok ? decoded.value : undefined
}

/** The aggregator's audit of this command, if the record is one: it names the command's action and scope first. */
function aggregatorAuditOf(record: LogRecord, command: LimitsCommand): { decision: string; reason: string } | undefined {
  if (record.key !== command.cmd_id) return undefined
  const audit = decodeJson(auditSchema, record.value)
  if (!audit.ok || audit.value.corr_id !== command.corr_id || audit.value.service !== AGGREGATOR_SERVICE) return undefined
  if (!audit.value.reason.startsWith(`${audit.value.decision} ${command.action} ${command.scope} `)) return undefined
  return audit.value
}

function refused(command: LimitsCommand, reason: string): RiskctlError {
  return new RiskctlError(`The aggregator did not apply the ${command.action} of ${command.scope}: ${reason}`, {
    code: 'RISKCTL_COMMAND_REFUSED',
    exitCode: ExitCode.precondition,
    suggestions: ['See it in the trail: riskctl tail audit.v1 --from beginning --no-follow'],
  })
}

function notConfirmed(command: LimitsCommand, timeoutMs: number): RiskctlError {
  return new RiskctlError(
    `The ${command.action} of ${command.scope} was published (cmd_id ${command.cmd_id}) but risk_limits.v1 did not show it within ${timeoutMs / 1000} s: nothing is enforcing it yet.`,
    {
      code: 'RISKCTL_NOT_CONFIRMED',
      exitCode: ExitCode.unexpected,
      suggestions: [
        'Start the processors: riskctl up (the aggregator applies commands; the router enforces them).',
        'Check it later with: riskctl limits show',
      ],
    },
  )
}

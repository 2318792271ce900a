import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import { isAlreadyThere } from '../domain/kill-state.js'
import { auditSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import { ExitCode, RiskctlError } from '../errors.js'
import type { EventLog, LogRecord, TopicPartitionOffset } from '../log/port.js'
import { AGGREGATOR_SERVICE } from '../processors/aggregator-step.js'
import { decodeStateRecord } from '../processors/topic-codec.js'
import { AUDIT, KILL_STATE } from '../../topologies/topics.js'
import type { ActionOrigin } from '../processors/operator-trail.js'
import { readApprovals } from '../processors/approval-request.js'
import {
  buildOperatorCommand,
  CONFIRM_TIMEOUT_MS,
  publishCommand,
  type OperatorCommandInput,
} from '../processors/operator-command.js'

export { CONFIRM_TIMEOUT_MS }

export type KillSwitchOutcome =
  | {
      readonly outcome: 'confirmed'
      readonly command: KillCommand
      readonly state: KillState
      readonly trail_missing?: true
    }
  | { readonly outcome: 'published'; readonly command: KillCommand; readonly trail_missing?: true }
  /** Four eyes: the UNKILL is held until a second person approves it (riskctl approve). */
  | {
      readonly outcome: 'pending'
      readonly command: KillCommand
      readonly request_id: string
      readonly expires_ts?: number | undefined
    }
  /** The scope already had the asked-for status: it was left as it is. */
  | { readonly outcome: 'unchanged'; readonly scope: string; readonly state: KillState | undefined }

export interface KillSwitchOptions {
  readonly wait: boolean
  /** Where the command came in, for the operator-action trail. */
  readonly origin: ActionOrigin
  readonly timeoutMs?: number
  readonly signal?: AbortSignal | undefined
}

/**
 * An operator's KILL, UNKILL or THROTTLE on the event log: publish the command, then wait until
 * the state topic shows it applied. A command nobody applies is a failure, not a success: it
 * means no aggregator is running and nothing enforces it.
 *
 * A KILL is published before anything is read (ADR 0013): it asks the aggregator to leave a scope
 * that is already KILLED as it is (unless_already), and the aggregator, which holds the state,
 * answers that in the audit trail. An UNKILL or THROTTLE reads the state first, since it must not
 * be older than the state it undoes.
 */
export async function requestKillSwitch(
  log: EventLog,
  input: OperatorCommandInput,
  options: KillSwitchOptions,
): Promise<KillSwitchOutcome> {
  const built = buildOperatorCommand({ ...input, unlessAlready: true })
  // The producer connects while the state is looked at; a failure is the publish's to report.
  void log.prepareProduce?.()
  if (built.action === 'KILL') {
    if (!options.wait) return published(log, built, options.origin)
    // Where the answer can first appear, taken before the command exists, so that nothing slips past.
    const from = await log.endOffsets([KILL_STATE, AUDIT])
    return publishedAt(log, built, options.origin, from, options)
  }
  const view = await log.readCompacted(KILL_STATE)
  const current = stateIn(view.records.get(built.scope))
  if (isAlreadyThere(current, built.action, built.max_orders_per_sec))
    return { outcome: 'unchanged', scope: built.scope, state: current }
  // Decided knowing the current state, so never older than it: the aggregator refuses an UNKILL or THROTTLE
  // older than the state it would undo, and this machine's clock may be behind the one that wrote it.
  const command =
    current !== undefined && built.ts < current.updated_ts ? { ...built, ts: current.updated_ts } : built
  if (!options.wait) return published(log, command, options.origin)
  const from = [...view.endOffsets, ...(await log.endOffsets([AUDIT]))]
  return publishedAt(log, command, options.origin, from, options)
}

async function published(
  log: EventLog,
  command: KillCommand,
  origin: ActionOrigin,
): Promise<KillSwitchOutcome> {
  const { trailed } = await publishCommand(log, command, origin)
  return { outcome: 'published', command, ...(trailed ? {} : { trail_missing: true as const }) }
}

/** Publishes, then follows the answer; a KILL that could not be put on the operator-action trail says so. */
async function publishedAt(
  log: EventLog,
  command: KillCommand,
  origin: ActionOrigin,
  from: readonly TopicPartitionOffset[],
  options: KillSwitchOptions,
): Promise<KillSwitchOutcome> {
  const { trailed } = await publishCommand(log, command, origin)
  const outcome = await answerOf(log, command, from, options)
  return trailed || outcome.outcome === 'unchanged' || outcome.outcome === 'pending'
    ? outcome
    : { ...outcome, trail_missing: true }
}

/**
 * Follows the state topic and the audit trail from `from` until the aggregator has answered the command: its
 * state record (confirmed), or its audit saying it was refused or changed nothing. Opened after publishing, so
 * that the command is on its way while this reader joins.
 */
async function answerOf(
  log: EventLog,
  command: KillCommand,
  from: readonly TopicPartitionOffset[],
  options: KillSwitchOptions,
): Promise<KillSwitchOutcome> {
  const timeoutMs = options.timeoutMs ?? CONFIRM_TIMEOUT_MS
  const deadline = Date.now() + timeoutMs
  const answers = await log.consumer({
    topics: [KILL_STATE, AUDIT],
    from: { type: 'offsets', offsets: from },
  })
  // Its audits share a partition (keyed by cmd_id), in order: a DUPLICATE after its APPLIED is someone's replay.
  let applied = false
  try {
    while (Date.now() < deadline && !options.signal?.aborted) {
      for (const record of await answers.poll({
        maxRecords: 5000,
        maxWaitMs: Math.min(100, deadline - Date.now()),
      })) {
        if (record.topic === KILL_STATE) {
          const next = decodeStateRecord(record)
          if (next.type === 'state' && isStateOf(next.state, command))
            return { outcome: 'confirmed', command, state: next.state }
          continue
        }
        const audit = aggregatorAuditOf(record, command)
        if (audit?.decision === 'APPLIED') applied = true
        if (audit?.decision === 'PENDING') {
          const held = (await readApprovals(log)).find((request) => request.request_id === command.cmd_id)
          return { outcome: 'pending', command, request_id: command.cmd_id, expires_ts: held?.expires_ts }
        }
        if (audit?.decision === 'REFUSED') throw refused(command, audit.reason)
        if (audit?.decision === 'DUPLICATE' && !applied) {
          return {
            outcome: 'unchanged',
            scope: command.scope,
            state: stateIn((await log.readCompacted(KILL_STATE)).records.get(command.scope)),
          }
        }
      }
    }
    throw notConfirmed(command, timeoutMs)
  } finally {
    await answers.close()
  }
}

/** A cmd_id alone proves nothing: anyone may reuse it for another scope (the aggregator applies that too). */
function isStateOf(state: KillState, command: KillCommand): boolean {
  return (
    state.last_cmd_id === command.cmd_id && state.scope === command.scope && state.corr_id === command.corr_id
  )
}

function stateIn(record: LogRecord | undefined): KillState | undefined {
  const change = record && decodeStateRecord(record)
  return change?.type === 'state' ? change.state : undefined
}

/** The aggregator's audit of this command, if the record is one. APPLIED comes too, maybe before the state record. */
function aggregatorAuditOf(
  record: LogRecord,
  command: KillCommand,
): { decision: string; reason: string } | undefined {
  if (record.key !== command.cmd_id) return undefined
  const audit = decodeJson(auditSchema, record.value)
  if (!audit.ok || audit.value.corr_id !== command.corr_id || audit.value.service !== AGGREGATOR_SERVICE)
    return undefined
  // The aggregator names the command's scope (canonical) and action first in its reason.
  if (
    !audit.value.scope_matches.includes(command.scope) ||
    !audit.value.reason.startsWith(`${audit.value.decision} ${command.action} `)
  )
    return undefined
  return audit.value
}

function refused(command: KillCommand, reason: string): RiskctlError {
  return new RiskctlError(
    `The aggregator did not apply the ${command.action} of ${command.scope}: ${reason}`,
    {
      code: 'RISKCTL_COMMAND_REFUSED',
      exitCode: ExitCode.precondition,
      suggestions: ['See it in the trail: riskctl tail audit.v1 --from beginning --no-follow'],
    },
  )
}

export function notConfirmed(command: KillCommand, timeoutMs: number): RiskctlError {
  return new RiskctlError(
    `The ${command.action} of ${command.scope} was published (cmd_id ${command.cmd_id}) but killswitch.state.v1 did not show it within ${timeoutMs / 1000} s: nothing is enforcing it yet.`,
    {
      code: 'RISKCTL_NOT_CONFIRMED',
      exitCode: ExitCode.unexpected,
      suggestions: [
        'Start the processors: riskctl up (the aggregator applies commands; the router enforces them).',
        'Check it later with: riskctl state',
      ],
    },
  )
}

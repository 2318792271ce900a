import type { KillCommand } from '../domain/kill-command.js'
import type { KillState } from '../domain/kill-status.js'
import { auditSchema } from '../contracts/messages.js'
import { decodeJson } from '../contracts/decode.js'
import { ExitCode, RiskctlError } from '../errors.js'
import type { EventLog, LogRecord } from '../log/port.js'
import { AGGREGATOR_SERVICE } from '../processors/aggregator-step.js'
import { decodeStateRecord } from '../processors/topic-codec.js'
import { AUDIT, KILL_STATE } from '../../topologies/topics.js'
import { buildOperatorCommand, publishCommand, type OperatorCommandInput } from '../processors/operator-command.js'

export const CONFIRM_TIMEOUT_MS = 10_000

export type KillSwitchOutcome =
  | { readonly outcome: 'confirmed'; readonly command: KillCommand; readonly state: KillState }
  | { readonly outcome: 'published'; readonly command: KillCommand }
  /** The scope already has the asked-for status: nothing was published. */
  | { readonly outcome: 'unchanged'; readonly scope: string; readonly state: KillState | undefined }

export interface KillSwitchOptions {
  readonly wait: boolean
  readonly timeoutMs?: number
  readonly signal?: AbortSignal | undefined
}

/**
 * An operator's KILL, UNKILL or THROTTLE on the event log: publish the command, then wait until
 * the state topic shows it applied. A command nobody applies is a failure, not a success: it
 * means no aggregator is running and nothing enforces it.
 */
export async function requestKillSwitch(
  log: EventLog,
  input: OperatorCommandInput,
  options: KillSwitchOptions,
): Promise<KillSwitchOutcome> {
  const built = buildOperatorCommand(input)
  const view = await log.readCompacted(KILL_STATE)
  const currentRecord = view.records.get(built.scope)
  const change = currentRecord && decodeStateRecord(currentRecord)
  const current = change?.type === 'state' ? change.state : undefined
  if (alreadyThere(current, built.action, built.max_orders_per_sec)) return { outcome: 'unchanged', scope: built.scope, state: current }
  // Decided knowing the current state, so never older than it: the aggregator refuses an UNKILL or THROTTLE
  // older than the state it would undo, and this machine's clock may be behind the one that wrote it.
  const command = current !== undefined && built.ts < current.updated_ts ? { ...built, ts: current.updated_ts } : built

  // Follow the state (and the aggregator's refusals) from before the command exists, so nothing slips past.
  const states = await log.consumer({ topics: [KILL_STATE], from: { type: 'offsets', offsets: view.endOffsets } })
  const audits = options.wait ? await log.consumer({ topics: [AUDIT], from: { type: 'latest' } }) : undefined
  try {
    await publishCommand(log, command)
    if (!options.wait || audits === undefined) return { outcome: 'published', command }
    const timeoutMs = options.timeoutMs ?? CONFIRM_TIMEOUT_MS
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline && !options.signal?.aborted) {
      for (const record of await states.poll({ maxWaitMs: Math.min(100, deadline - Date.now()) })) {
        const next = decodeStateRecord(record)
        if (next.type === 'state' && next.state.last_cmd_id === command.cmd_id) {
          return { outcome: 'confirmed', command, state: next.state }
        }
      }
      const refusal = refusalOf(await audits.poll({ maxRecords: 5000, maxWaitMs: 0 }), command)
      if (refusal !== undefined) throw refused(command, refusal)
    }
    throw notConfirmed(command, timeoutMs)
  } finally {
    await states.close()
    await audits?.close()
  }
}

/** The aggregator's audit of this command, when it did not apply it: its reason. */
function refusalOf(records: readonly LogRecord[], command: KillCommand): string | undefined {
  for (const record of records) {
    if (record.key !== command.cmd_id) continue
    const audit = decodeJson(auditSchema, record.value)
    // APPLIED comes too, possibly before the state record on another partition: only a refusal ends the wait.
    if (audit.ok && audit.value.decision === 'REFUSED' && audit.value.corr_id === command.corr_id && audit.value.service === AGGREGATOR_SERVICE) {
      return audit.value.reason
    }
  }
  return undefined
}

function refused(command: KillCommand, reason: string): RiskctlError {
  return new RiskctlError(`The aggregator did not apply the ${command.action} of ${command.scope}: ${reason}`, {
    code: 'RISKCTL_COMMAND_REFUSED',
    exitCode: ExitCode.precondition,
    suggestions: ['See it in the trail: riskctl tail audit.v1 --from beginning --no-follow'],
  })
}

export function alreadyThere(
  current: KillState | undefined,
  action: KillCommand['action'],
  maxOrdersPerSec: number | undefined,
): boolean {
  switch (action) {
    case 'KILL':
      return current?.status === 'KILLED'
    case 'UNKILL':
      return current === undefined || current.status === 'ACTIVE'
    case 'THROTTLE':
      return current?.status === 'THROTTLED' && current.max_orders_per_sec === maxOrdersPerSec
  }
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

import { randomUUID } from 'node:crypto'
import os from 'node:os'
import { KILL_COMMANDS, OPERATOR_ACTIONS } from '../../topologies/topics.js'
import type { CommandRecord } from '../contracts/commands.js'
import type { ActionChannel, OperatorActionRecord } from '../domain/operator-action.js'
import { isRiskctlError, RiskctlError, ExitCode } from '../errors.js'
import type { EventLog, RecordMetadata } from '../log/port.js'
import { encode } from './topic-codec.js'
import { digestOfEncoded } from './command-codec.js'

/** Where an operator's command came in: the channel and the client's address or host. */
export interface ActionOrigin {
  readonly channel: ActionChannel
  readonly from: string
  /** The console user's role; the direct path's identities have none (the log does not know roles). */
  readonly role?: string | undefined
}

/** The CLI's and the live view's origin: this host. */
export function localOrigin(channel: Exclude<ActionChannel, 'console'>): ActionOrigin {
  return { channel, from: os.hostname() || 'localhost' }
}

const MAX_DETAIL = 1024

/** The trail's entry for a command that was published: ALLOWED, with the ids that follow it through. */
export function allowedAction(command: CommandRecord, origin: ActionOrigin): OperatorActionRecord {
  return {
    action_id: randomUUID(),
    ts: command.ts,
    actor: command.operator ?? command.triggered_by,
    ...(origin.role === undefined ? {} : { role: origin.role }),
    channel: origin.channel,
    from: origin.from,
    action: command.action,
    scope: command.scope,
    outcome: 'ALLOWED',
    detail: bounded(command.reason),
    cmd_id: command.cmd_id,
    // Of the command as the aggregator will decode it from the bytes written, not of the object in hand.
    ...digestField(command),
    corr_id: command.corr_id,
  }
}

function digestField(command: CommandRecord): { cmd_digest?: string } {
  const digest = digestOfEncoded(encode(KILL_COMMANDS, command).value)
  return digest === undefined ? {} : { cmd_digest: digest }
}

export function bounded(text: string): string {
  const trimmed = text.trim() === '' ? '-' : text
  return trimmed.length <= MAX_DETAIL ? trimmed : `${trimmed.slice(0, MAX_DETAIL - 1)}…`
}

export interface PublishedCommand {
  readonly metadata: RecordMetadata
  /** False only for a KILL published on a log without operator_actions.v1: stopping a scope waits for nothing. */
  readonly trailed: boolean
}

/**
 * An operator's command onto killswitch.commands.v1, and its ALLOWED entry onto operator_actions.v1, in one write.
 * Where the trail's topic is missing (a log set up before it existed), a KILL still goes out, alone, and says so:
 * stopping a scope is never held up by its paperwork. Anything that loosens is refused until the trail exists.
 */
export async function publishTrailed(log: EventLog, command: CommandRecord, origin: ActionOrigin): Promise<PublishedCommand> {
  const batches = [
    { topic: KILL_COMMANDS, records: [encode(KILL_COMMANDS, command, { timestamp: command.ts })] },
    { topic: OPERATOR_ACTIONS, records: [encode(OPERATOR_ACTIONS, allowedAction(command, origin), { timestamp: command.ts })] },
  ]
  try {
    const metadata = (await log.write(batches)).find((placed) => placed.topic === KILL_COMMANDS)
    if (!metadata) throw new Error('the write acknowledged no command')
    return { metadata, trailed: true }
  } catch (error) {
    if (!isRiskctlError(error) || error.code !== 'RISKCTL_TOPIC_NOT_FOUND' || !(await trailMissing(log))) throw error
    if (command.action !== 'KILL') throw trailNeeded(command.action)
    const [metadata] = await log.produce(KILL_COMMANDS, batches[0]!.records)
    if (!metadata) throw new Error('produce acknowledged no record')
    return { metadata, trailed: false }
  }
}

async function trailMissing(log: EventLog): Promise<boolean> {
  return !(await log.listTopics()).includes(OPERATOR_ACTIONS)
}

function trailNeeded(action: string): RiskctlError {
  return new RiskctlError(`${OPERATOR_ACTIONS} does not exist on this log, and a ${action} is not sent without its entry in the operator-action trail.`, {
    code: 'RISKCTL_TRAIL_MISSING',
    exitCode: ExitCode.precondition,
    suggestions: ['Create the topics riskctl needs: riskctl topics create (riskctl up does it too).'],
  })
}

/** An attempt that published nothing (refused, unauthenticated, invalid) onto the trail. */
export async function recordAction(log: EventLog, record: OperatorActionRecord): Promise<void> {
  await log.produce(OPERATOR_ACTIONS, [encode(OPERATOR_ACTIONS, record, { timestamp: record.ts })])
}

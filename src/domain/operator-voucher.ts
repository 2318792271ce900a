import { isoTime } from './kill-state.js'
import { LIMITS_REVERTER } from './pretrade/apply-limits.js'

/**
 * What vouches that a command came through the operator channel: its ALLOWED entry in the operator-action trail
 * (operator_actions.v1), written in the same atomic write as the command itself (operator-trail.ts).
 *
 * A command's `triggered_by: "operator"` is only a field, and anyone who may write killswitch.commands.v1 may write
 * it: the detector's principal may, to ask for KILLs. The trail's topic is the one the detector, the Spark job and
 * the router can never write (the broker's ACLs; on the embedded log only its owner writes at all). So any command but
 * a KILL (UNKILL, THROTTLE, a limits change, an approval's answer), whatever source it names, takes effect only with
 * an entry there for that very command: the same cmd_id and operator, and the digest of the whole command as the
 * aggregator decodes it, so that a copy with another cap, limit or time is vouched for by nothing. A KILL needs none:
 * anybody may stop. Nor does the aggregator's own REVERT_LIMITS, which applies only at the expiry it reverts.
 */
export interface Voucher {
  /** The entry's time: the command's own, as the operator channel stamps both. */
  readonly ts: number
  readonly cmd_id: string
  /** The digest of the command the entry was written for (commandDigest); an entry without one vouches for nothing. */
  readonly digest: string | undefined
  readonly actor: string
  readonly action: string
  readonly scope: string
}

/** The fields of any command on killswitch.commands.v1 that the voucher is matched against. */
export interface VouchedCommand {
  readonly cmd_id: string
  readonly action: string
  readonly scope: string
  readonly triggered_by: string
  readonly operator?: string | undefined
}

/** The trail entries read so far, by cmd_id. */
export type Vouchers = ReadonlyMap<string, readonly Voucher[]>

/** Whether a command needs its trail entry: anything but a KILL, and but the aggregator's REVERT at an expiry. */
export function needsVoucher(command: Pick<VouchedCommand, 'action' | 'triggered_by'>): boolean {
  if (command.action === 'KILL') return false
  return !(command.action === 'REVERT_LIMITS' && command.triggered_by === LIMITS_REVERTER)
}

/** What the trail lacks for this command at `nowMs`, or undefined when it is vouched for (or needs no voucher). */
export function voucherRefusal(command: VouchedCommand, digest: string, vouchers: Vouchers, trail: TrailCoverage, nowMs: number): string | undefined {
  if (!needsVoucher(command) || isVouched(command, digest, vouchers, nowMs)) return undefined
  const entries = vouchers.get(command.cmd_id) ?? []
  const own = entries.find((entry) => matches(entry, command, digest))
  const why =
    own !== undefined
      ? own.ts > nowMs
        ? `its entry is from ${isoTime(own.ts)}, over ${VOUCHER_AHEAD_MS / 60_000} minutes ahead of the aggregator's clock (${isoTime(nowMs)}): a command is taken from a clock that is right`
        : `its entry is from ${isoTime(own.ts)}, over ${VOUCHER_LOOKBACK_MS / 60_000} minutes before the aggregator's clock (${isoTime(nowMs)}): a command that loosens is taken within that time of being sent, from a clock that is right`
      : trail.problem !== undefined
        ? `the trail could not be read (${trail.problem})`
        : entries.length > 0
          ? `its entries there are for other commands (${entries.map((entry) => `${entry.action} ${entry.scope} by ${entry.actor}`).join(', ')}): the same cmd_id, not the same command`
          : `none was found${trail.fromMs === undefined ? '' : ` from ${isoTime(trail.fromMs)} on`}`
  return `no ALLOWED entry for cmd_id ${command.cmd_id} (${command.action} ${command.scope} by ${command.operator ?? '?'}) in the operator-action trail: ${why}. Only the operator channel (riskctl, the console) may ${command.action}, and it writes the command and its entry together`
}

/**
 * Whether an entry read so far is this very command's (the same cmd_id, operator and digest) and recent: from within
 * VOUCHER_LOOKBACK_MS of the aggregator's clock, whenever and however it was read.
 */
export function isVouched(command: VouchedCommand, digest: string, vouchers: Vouchers, nowMs: number): boolean {
  const entries = vouchers.get(command.cmd_id) ?? []
  return entries.some((entry) => matches(entry, command, digest) && inWindow(entry.ts, nowMs))
}

/** A voucher vouches from a little before the aggregator's clock (a fast writer's) to an hour after its own time. */
function inWindow(ts: number, nowMs: number): boolean {
  return ts >= nowMs - VOUCHER_LOOKBACK_MS && ts <= nowMs + VOUCHER_AHEAD_MS
}

/**
 * How long after its own time a command accepted through a voucher stays spent: the time its voucher could still
 * vouch for a copy of it. A copy within it is a DUPLICATE whatever the aggregator's memory of handled commands still
 * holds (a memory that anyone who may write the commands topic can flood); after it, no voucher vouches for the copy.
 */
export function spentUntil(ts: number): number {
  return ts + VOUCHER_LOOKBACK_MS
}

function matches(entry: Voucher, command: VouchedCommand, digest: string): boolean {
  return entry.digest === digest && entry.actor === command.operator
}

/** How much of the trail was read for a batch: from when, or why it could not be read. */
export interface TrailCoverage {
  readonly fromMs?: number | undefined
  readonly problem?: string | undefined
}

/** Nothing read: every command that needs a voucher is refused. */
export const NO_TRAIL: TrailCoverage = {}

/**
 * How far back the aggregator reads the trail for one command: from a minute before the command's own time (the
 * entry carries the same time, but a broker stamping LogAppendTime may differ by a little), and never from earlier
 * than an hour before the aggregator's clock, whatever time a writer puts on a command: a hostile time on a flood of
 * forged commands cannot make the aggregator read the whole year of trail before its next KILL. An entry older than
 * that hour does not vouch, however it was read: an operator's clock over an hour slow (or an UNKILL that waited
 * over an hour for an aggregator that was down) is refused, saying so, and the operator sends it again.
 */
export const VOUCHER_MARGIN_MS = 60_000
export const VOUCHER_LOOKBACK_MS = 60 * 60 * 1000
/** How far ahead of the aggregator's clock an entry may be stamped: a writer's clock a little fast, no more. */
export const VOUCHER_AHEAD_MS = 5 * 60_000

export function trailReadFrom(commandTimes: Iterable<number>, nowMs: number): number | undefined {
  let earliest = Number.POSITIVE_INFINITY
  for (const ts of commandTimes) if (Number.isFinite(ts)) earliest = Math.min(earliest, ts)
  if (earliest === Number.POSITIVE_INFINITY) return undefined
  return Math.min(nowMs, Math.max(earliest - VOUCHER_MARGIN_MS, nowMs - VOUCHER_LOOKBACK_MS))
}

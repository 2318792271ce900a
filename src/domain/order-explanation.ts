import type { AuditRecord } from './audit-record.js'
import type { KillCommand } from './kill-command.js'
import type { KillState } from './kill-status.js'
import type { Order } from './order.js'
import type { RiskSignal } from './risk-signal.js'

/** Where a record lies on the log, and the time the log holds for it (append time, or the writer's clock). */
export interface LogPosition {
  readonly topic: string
  readonly partition: number
  readonly offset: number
  readonly log_ts: number
}

export interface OrderEvidence extends LogPosition {
  readonly order: Order
}

export interface DecisionEvidence extends LogPosition {
  readonly audit: AuditRecord
}

export interface StateEvidence extends LogPosition {
  readonly state: KillState
}

export interface CommandEvidence extends LogPosition {
  readonly command: KillCommand
}

/** What the detector saw when it asked for the kill. */
export interface BreachEvidence {
  readonly metric: string
  readonly value: number
  /** The rule's threshold in the topology read now (a breach is strictly above it; a share at or above). */
  readonly threshold: number | undefined
  readonly topology: string
  /** The window the rule was judged over: the detector's own signal when it is on the log, else worked out. */
  readonly window_start: number
  readonly window_end: number
  readonly window_from: 'signal' | 'topology'
  readonly signal?: (LogPosition & { readonly value: RiskSignal }) | undefined
  /** The detector's clock when the rule was breached (the KILL command's ts). */
  readonly ts: number
}

/**
 * The causal chain of one order, as the log holds it: the order, the decision(s) made of it, and for a decision
 * under a state record, that state, the command that made it, for a detector's kill the breach, and the first
 * order that state dropped. What could not be found is said in `gaps`, never guessed.
 */
export interface OrderExplanation {
  readonly order_id: string
  /** What decided the order, in a sentence: a state record, a pre-trade check, its order_id alone, or nothing. */
  readonly basis: string
  readonly order: OrderEvidence | undefined
  /** The decision that counted: the first one made of this order_id. */
  readonly decision: DecisionEvidence
  /** Later copies of the same order_id, each a DUPLICATE. */
  readonly duplicates: readonly DecisionEvidence[]
  readonly state: StateEvidence | undefined
  /** The aggregator's audit of the command, which says when it was applied even when compaction took the state. */
  readonly applied: DecisionEvidence | undefined
  readonly command: CommandEvidence | undefined
  readonly breach: BreachEvidence | undefined
  readonly first_drop: DecisionEvidence | undefined
  readonly durations: ChainDurations
  readonly timeline: readonly TimelineStep[]
  readonly gaps: readonly string[]
}

/** The time between the links of the chain, in ms; absent where a link is missing. */
export interface ChainDurations {
  readonly breach_to_command_ms?: number
  readonly command_to_state_ms?: number
  readonly state_to_first_drop_ms?: number
  readonly breach_to_first_drop_ms?: number
  readonly first_drop_to_order_ms?: number
  readonly order_to_decision_ms?: number
}

export type TimelineKind =
  'breach' | 'command' | 'applied' | 'state' | 'first_drop' | 'order' | 'decision' | 'duplicate'

export interface TimelineStep {
  readonly at: number
  readonly kind: TimelineKind
  readonly what: string
  /** Since the step before it in the timeline (0 for the first). */
  readonly since_previous_ms: number
}

export type ExplanationLinks = Omit<OrderExplanation, 'durations' | 'timeline'>

/** The moments of each link: the log's time where the link is a record, the writer's stated time otherwise. */
function moments(
  links: ExplanationLinks,
): { readonly kind: TimelineKind; readonly at: number; readonly what: string }[] {
  const steps: { kind: TimelineKind; at: number; what: string }[] = []
  const { breach, command, applied, state, first_drop: firstDrop, order, decision } = links
  if (breach !== undefined)
    steps.push({ kind: 'breach', at: breach.ts, what: `${breach.metric} ${breach.value} breached` })
  if (command !== undefined) {
    steps.push({
      kind: 'command',
      at: command.log_ts,
      what: `${command.command.action} ${command.command.scope} by ${whoOf(command.command)}`,
    })
  }
  if (applied !== undefined)
    steps.push({ kind: 'applied', at: applied.audit.ts, what: `aggregator ${applied.audit.decision}` })
  if (state !== undefined)
    steps.push({ kind: 'state', at: state.log_ts, what: `${state.state.scope} ${state.state.status}` })
  if (firstDrop !== undefined)
    steps.push({
      kind: 'first_drop',
      at: firstDrop.audit.ts,
      what: `first DROP: ${firstDrop.audit.order_id}`,
    })
  if (order !== undefined)
    steps.push({ kind: 'order', at: order.log_ts, what: `order ${order.order.order_id} on ${order.topic}` })
  steps.push({
    kind: 'decision',
    at: decision.audit.ts,
    what: `${decision.audit.decision}: ${decision.audit.reason}`,
  })
  // A later decision of the same order_id: a DUPLICATE of a copy sent again, or a new order once the router had forgotten it.
  for (const copy of links.duplicates) {
    steps.push({ kind: 'duplicate', at: copy.audit.ts, what: `${copy.audit.decision} of ${copy.audit.order_id} again: ${copy.audit.reason}` })
  }
  return steps
}

/** Who asked for a command: the operator it names, else the rule or job that sent it. */
export function whoOf(command: KillCommand): string {
  return command.operator ?? command.triggered_by
}

function between(from: number | undefined, to: number | undefined): number | undefined {
  return from === undefined || to === undefined ? undefined : to - from
}

/** A command stamped longer than this before its state, or after it, was stamped by a clock that is off. */
const MOST_BELIEVABLE_WAIT_MS = 60_000

/**
 * The chain's durations and its timeline, oldest first (ties keep the chain's order), from its links. A time stamped
 * by the command's sender (or the detector) that the aggregator's own contradicts is shown, but no duration is taken
 * from it, and the gap says why.
 */
export function explain(links: ExplanationLinks): OrderExplanation {
  const stateAt = links.state?.log_ts ?? links.applied?.audit.ts
  const dropAt = links.first_drop?.audit.ts
  const believable = (at: number | undefined): number | undefined =>
    at === undefined || stateAt === undefined || (at <= stateAt && at >= stateAt - MOST_BELIEVABLE_WAIT_MS)
      ? at
      : undefined
  const gaps = [...links.gaps]
  const commandAt = believable(links.command?.log_ts)
  const breachAt = believable(links.breach?.ts)
  if (links.command !== undefined && commandAt === undefined)
    gaps.push(skewed('the command', links.command.log_ts, stateAt!))
  if (links.breach !== undefined && breachAt === undefined)
    gaps.push(skewed('the breach', links.breach.ts, stateAt!))
  const durations: Record<string, number> = {}
  const set = (name: keyof ChainDurations, value: number | undefined): void => {
    if (value !== undefined) durations[name] = value
  }
  set('breach_to_command_ms', between(breachAt, commandAt))
  set('command_to_state_ms', between(commandAt, stateAt))
  set('state_to_first_drop_ms', between(stateAt, dropAt))
  set('breach_to_first_drop_ms', between(breachAt, dropAt))
  // Only for an order the same state decided after its first DROP: an ALLOW's chain has no drop.
  set(
    'first_drop_to_order_ms',
    links.decision.audit.decision === 'DROP' ? between(dropAt, links.decision.audit.ts) : undefined,
  )
  set('order_to_decision_ms', between(links.order?.log_ts, links.decision.audit.ts))
  const ordered = moments(links)
    .map((step, index) => ({ step, index }))
    .sort((a, b) => a.step.at - b.step.at || a.index - b.index)
    .map(({ step }) => step)
  const timeline = ordered.map((step, i) => ({
    ...step,
    since_previous_ms: i === 0 ? 0 : step.at - ordered[i - 1]!.at,
  }))
  return { ...links, gaps, durations, timeline }
}

function skewed(what: string, at: number, stateAt: number): string {
  const off = at - stateAt
  const by = Math.abs(off) >= 60_000 ? `${(Math.abs(off) / 60_000).toFixed(1)} min` : `${Math.abs(off)} ms`
  const why =
    off > 0 ? "its sender's clock is off" : "its sender's clock is off, or the aggregator was that far behind"
  return `${what} is stamped ${by} ${off > 0 ? 'after' : 'before'} the aggregator applied it (${why}): no duration is taken from it`
}

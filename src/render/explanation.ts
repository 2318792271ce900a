import type { ChalkInstance } from 'chalk'
import type {
  ChainDurations,
  LogPosition,
  OrderExplanation,
  TimelineKind,
} from '../domain/order-explanation.js'
import { whoOf } from '../domain/order-explanation.js'
import { printable } from './printable.js'

const LABELS: Record<TimelineKind, string> = {
  breach: 'breach',
  command: 'command',
  applied: 'applied',
  state: 'state',
  first_drop: 'first DROP',
  order: 'order',
  decision: 'decision',
  duplicate: 'again',
}

const DURATION_LABELS: readonly (readonly [keyof ChainDurations, string])[] = [
  ['breach_to_command_ms', 'breach → command'],
  ['command_to_state_ms', 'command → state'],
  ['state_to_first_drop_ms', 'state → first DROP'],
  ['breach_to_first_drop_ms', 'breach → first DROP'],
  ['first_drop_to_order_ms', 'first DROP → this order'],
  ['order_to_decision_ms', 'order on the log → decision'],
]

/** `riskctl explain`: a headline, the chain as a timeline with the time between its steps, then what is missing. */
export function renderExplanation(
  explanation: OrderExplanation,
  style: ChalkInstance,
  newestFirst: boolean,
): string {
  const { decision } = explanation
  const lines = [
    `${style.bold(`Order ${printable(explanation.order_id)}`)}: ${decisionWord(decision.audit.decision, style)} ${printable(decision.audit.reason)}`,
    `Decided by ${printable(explanation.basis)}.`,
    '',
  ]
  const steps = newestFirst ? [...explanation.timeline].reverse() : explanation.timeline
  const kindWidth = Math.max(...steps.map((step) => LABELS[step.kind].length))
  steps.forEach((step, i) => {
    const gap = newestFirst ? (steps[i - 1]?.since_previous_ms ?? 0) : step.since_previous_ms
    const delta = i === 0 ? '' : `${newestFirst && gap !== 0 ? '-' : '+'}${duration(gap)}`
    lines.push(
      `  ${new Date(step.at).toISOString()}  ${style.dim(delta.padEnd(10))}${LABELS[step.kind].padEnd(kindWidth)}  ${printable(detail(explanation, step.kind, step.what))}`,
    )
  })
  const durations = DURATION_LABELS.filter(([name]) => explanation.durations[name] !== undefined).map(
    ([name, label]) => `${label} ${duration(explanation.durations[name]!)}`,
  )
  if (durations.length > 0) lines.push('', `${style.bold('Durations')}: ${durations.join(' · ')}`)
  if (explanation.gaps.length > 0)
    lines.push(
      '',
      style.yellow('Not in the evidence:'),
      ...explanation.gaps.map((gap) => `  - ${printable(gap)}`),
    )
  return lines.join('\n')
}

/** The step's evidence: what it was and where it lies on the log. */
function detail(explanation: OrderExplanation, kind: TimelineKind, what: string): string {
  const { breach, command, state, applied, order, decision, first_drop: firstDrop } = explanation
  switch (kind) {
    case 'breach': {
      if (breach === undefined) return what
      const threshold =
        breach.threshold === undefined
          ? 'no threshold in the topology'
          : `threshold ${breach.threshold} in ${breach.topology}`
      const window = `window ${new Date(breach.window_start).toISOString()} – ${new Date(breach.window_end).toISOString()}`
      const source = breach.signal === undefined ? ' (from the topology)' : ` · signal ${at(breach.signal)}`
      return `${breach.metric} ${breach.value} (${threshold}) · ${window}${source}`
    }
    case 'command':
      return command === undefined
        ? what
        : `${command.command.action} ${command.command.scope} by ${whoOf(command.command)}: ${command.command.reason} · cmd_id ${command.command.cmd_id} · ${at(command)}`
    case 'applied':
      return applied === undefined ? what : `${applied.audit.reason} · ${at(applied)}`
    case 'state':
      return state === undefined
        ? what
        : `${state.state.scope} ${state.state.status} by ${state.state.updated_by} · corr_id ${state.state.corr_id} · ${at(state)}`
    case 'first_drop':
      return firstDrop === undefined
        ? what
        : `order ${firstDrop.audit.order_id} of ${firstDrop.audit.account_id} · ${at(firstDrop)}`
    case 'order': {
      if (order === undefined) return what
      const o = order.order
      return `${o.side} ${o.qty} ${o.symbol} @ ${o.price} for ${o.account_id} (${o.strategy}), order ts ${new Date(o.ts).toISOString()} · ${at(order)}`
    }
    case 'decision':
      return `${decision.audit.decision} ${decision.audit.check ?? ''}`.trimEnd() + ` · ${at(decision)}`
    case 'duplicate':
      return what
  }
}

function at(position: LogPosition): string {
  return `${position.topic} ${position.partition}:${position.offset}`
}

function duration(ms: number): string {
  const abs = Math.abs(ms)
  const text =
    abs < 1000
      ? `${Math.round(abs)} ms`
      : abs < 120_000
        ? `${(abs / 1000).toFixed(abs < 10_000 ? 2 : 1)} s`
        : `${(abs / 60_000).toFixed(1)} min`
  return ms < 0 ? `-${text}` : text
}

function decisionWord(decision: string, style: ChalkInstance): string {
  return decision === 'ALLOW'
    ? style.green(decision)
    : decision === 'DROP'
      ? style.red.bold(decision)
      : style.yellow(decision)
}

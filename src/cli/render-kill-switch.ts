import type { ChalkInstance } from 'chalk'
import type { KillState } from '../domain/kill-status.js'
import type { KillSwitchOutcome } from '../services/kill-switch.js'
import { colorWord } from '../tui/render-record.js'

export function renderKillSwitchOutcome(outcome: KillSwitchOutcome, style: ChalkInstance): string {
  const text = renderOutcome(outcome, style)
  if (outcome.outcome === 'unchanged' || outcome.outcome === 'pending' || outcome.trail_missing !== true) return text
  return `${text}\n${style.yellow('not in the operator-action trail: operator_actions.v1 does not exist on this log (riskctl topics create adds it)')}`
}

function renderOutcome(outcome: KillSwitchOutcome, style: ChalkInstance): string {
  switch (outcome.outcome) {
    case 'confirmed':
      return `${describeState(outcome.state, style)}\n${style.dim(`cmd_id ${outcome.command.cmd_id} · corr_id ${outcome.command.corr_id}`)}`
    case 'published':
      return (
        `${outcome.command.action} ${outcome.command.scope} published (not waiting for the state to confirm it)\n` +
        style.dim(`cmd_id ${outcome.command.cmd_id} · corr_id ${outcome.command.corr_id} · check with: riskctl state`)
      )
    case 'pending': {
      const until = outcome.expires_ts === undefined ? '' : ` until ${new Date(outcome.expires_ts).toISOString()}`
      return (
        `${outcome.command.action} ${outcome.command.scope} is held for a second person's approval${until} (four eyes): nothing changed yet\n` +
        style.dim(`request ${outcome.request_id} · another supervisor approves it with: riskctl approve ${outcome.request_id.slice(0, 8)} --reason "..."`)
      )
    }
    case 'unchanged':
      return outcome.state
        ? `${describeState(outcome.state, style)}\n${style.dim('already so: left as it is')}`
        : `${outcome.scope} is ${colorWord('ACTIVE', style)} (never killed): left as it is`
  }
}

export function describeState(state: KillState, style: ChalkInstance): string {
  const cap = state.status === 'THROTTLED' ? ` at ${state.max_orders_per_sec} orders/s` : ''
  return `${style.bold(state.scope)} ${colorWord(state.status, style)}${cap} by ${state.updated_by} at ${new Date(state.updated_ts).toISOString()} — ${state.reason}`
}

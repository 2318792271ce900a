import { Args, Flags, type Command } from '@oclif/core'
import type { KillSwitchOutcome } from '../services/kill-switch.js'
import { sendKillSwitchRequest } from '../services/kill-switch-request.js'
import type { OperatorAction } from '../processors/operator-command.js'
import { BaseCommand } from './base-command.js'
import { badInput } from '../errors.js'
import { renderKillSwitchOutcome } from './render-kill-switch.js'

export const killSwitchArgs = {
  scope: Args.string({
    description: 'GLOBAL | ACCOUNT:<id> | SYMBOL:<ticker> | STRATEGY:<name>',
    required: true,
  }),
}

/** --api: the operator console to go through instead of the log; `what` says what goes through it. */
export function apiFlag(what = 'Send it') {
  return Flags.string({
    description: `${what} through this operator console instead of the log, e.g. http://127.0.0.1:8000 (with --profile: the deployment's) [env: RISKCTL_API_URL]`,
  })
}

/**
 * --operator named who acted, as free text: anyone could be anyone. It stays only to say so, since a script that
 * passes it would otherwise fail with a bare "nonexistent flag".
 */
export const retiredOperatorFlag = Flags.string({ hidden: true })

export function refuseOperatorFlag(operator: string | undefined, identity: () => string, api: string | undefined): void {
  if (operator === undefined) return
  const who = api === undefined ? `who the log authenticates (${safely(identity)})` : 'whoever the bearer token authenticates'
  throw badInput('RISKCTL_OPERATOR_FLAG_RETIRED', `--operator is no longer taken: the operator recorded is ${who}, never a name typed in.`, [
    'Drop --operator. Through a console, use your own token (riskctl users add NAME --role operator gives one).',
  ])
}

function safely(identity: () => string): string {
  try {
    return identity()
  } catch {
    return 'your OS user or SASL user'
  }
}

export const killSwitchFlags = {
  operator: retiredOperatorFlag,
  reason: Flags.string({ char: 'r', description: 'Why: it goes into the audit trail', required: true }),
  wait: Flags.boolean({
    description: 'Wait until killswitch.state.v1 shows the new status (up to 10 s)',
    default: true,
    allowNo: true,
  }),
  api: apiFlag(),
}

/** kill, unkill and throttle differ only in their action; the flow and the output are one. */
export abstract class KillSwitchCommand<T extends typeof Command> extends BaseCommand<T, KillSwitchOutcome> {
  static override profileUse = 'connect' as const
  protected abstract readonly action: OperatorAction

  protected async request(maxOrdersPerSec?: number): Promise<KillSwitchOutcome> {
    const flags = this.flags as unknown as { reason: string; operator?: string; wait: boolean; api?: string }
    const route = this.operatorRoute(flags.api)
    refuseOperatorFlag(flags.operator, route.identity, route.apiUrl)
    const input = {
      scope: (this.args as unknown as { scope: string }).scope,
      action: this.action,
      reason: flags.reason,
      maxOrdersPerSec,
    }
    return sendKillSwitchRequest(input, route, {
      wait: flags.wait,
      signal: this.stopSignal(),
    })
  }

  protected override render(outcome: KillSwitchOutcome): void {
    this.out.line(renderKillSwitchOutcome(outcome, this.out.style))
  }
}

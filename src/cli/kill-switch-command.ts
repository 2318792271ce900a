import os from 'node:os'
import { Args, Flags, type Command } from '@oclif/core'
import { operatorTokenMissing } from '../config/profile-settings.js'
import { readOperatorToken } from '../console/operator-token.js'
import { interrupted } from '../errors.js'
import { requestKillSwitch, type KillSwitchOutcome } from '../services/kill-switch.js'
import { requestViaConsole } from '../services/operator-client.js'
import type { OperatorAction } from '../services/operator-command.js'
import { BaseCommand } from './base-command.js'
import { createInterruptSignal } from './interrupt.js'
import { renderKillSwitchOutcome } from './render-kill-switch.js'

export const killSwitchArgs = {
  scope: Args.string({
    description: 'GLOBAL | ACCOUNT:<id> | SYMBOL:<ticker> | STRATEGY:<name>',
    required: true,
  }),
}

export const killSwitchFlags = {
  reason: Flags.string({ char: 'r', description: 'Why: it goes into the audit trail', required: true }),
  operator: Flags.string({ description: 'Who is acting (default: your user name)' }),
  wait: Flags.boolean({
    description: 'Wait until killswitch.state.v1 shows the new status (up to 10 s)',
    default: true,
    allowNo: true,
  }),
  api: Flags.string({
    description:
      "Send it through this operator console instead of the log, e.g. http://127.0.0.1:8000 (with --profile: the deployment's) [env: RISKCTL_API_URL]",
  }),
}

/** kill, unkill and throttle differ only in their action; the flow and the output are one. */
export abstract class KillSwitchCommand<T extends typeof Command> extends BaseCommand<T> {
  static override profileUse = 'connect' as const
  protected abstract readonly action: OperatorAction

  protected async request(maxOrdersPerSec?: number): Promise<void> {
    const flags = this.flags as unknown as {
      reason: string
      operator?: string
      wait: boolean
      api?: string
    }
    const input = {
      scope: (this.args as unknown as { scope: string }).scope,
      action: this.action,
      reason: flags.reason,
      operator: flags.operator ?? os.userInfo().username,
      maxOrdersPerSec,
    }
    const apiUrl = flags.api ?? this.settings.apiUrl
    const token = apiUrl === undefined ? undefined : this.operatorToken(apiUrl)
    const interrupt = createInterruptSignal()
    let outcome: KillSwitchOutcome
    try {
      outcome =
        apiUrl === undefined
          ? await requestKillSwitch(await this.openLog(), input, { wait: flags.wait, signal: interrupt.signal })
          : await requestViaConsole(input, {
              apiUrl,
              token,
              wait: flags.wait,
            })
    } finally {
      interrupt.dispose()
    }
    if (interrupt.interrupted()) throw interrupted()
    if (this.settings.json) this.out.json(outcome)
    else this.out.line(renderKillSwitchOutcome(outcome, this.out.style))
  }

  private operatorToken(apiUrl: string): string | undefined {
    const token = readOperatorToken(this.settings.backend.dataDir, this.settings.operatorToken)
    const deployment = this.settings.deployment
    // Only the deployment's own console is known to keep its token in Secrets Manager.
    if (token === undefined && deployment !== undefined && apiUrl === deployment.apiUrl) {
      throw operatorTokenMissing(deployment)
    }
    return token
  }
}

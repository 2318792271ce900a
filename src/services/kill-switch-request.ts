import { operatorTokenMissing, type DeploymentSettings } from '../config/profile-settings.js'
import { readOperatorToken } from '../config/operator-token.js'
import type { EventLog } from '../log/port.js'
import { requestKillSwitch, type KillSwitchOutcome } from './kill-switch.js'
import { requestViaConsole } from './operator-client.js'
import { localOrigin } from '../processors/operator-trail.js'
import type { OperatorCommandInput } from '../processors/operator-command.js'

export interface KillSwitchRoute {
  /** The operator console to send it through; without one, the command goes on the log. */
  readonly apiUrl: string | undefined
  readonly openLog: () => Promise<EventLog>
  /** Who a command written straight to the log is recorded as: the backend's authenticated identity. */
  readonly identity: () => string
  /** The console's token: the environment's, else the file in this data dir. */
  readonly dataDir: string
  readonly envToken: string | undefined
  readonly deployment: DeploymentSettings | undefined
}

export interface KillSwitchRequestOptions {
  readonly wait: boolean
  readonly signal: AbortSignal
}

/** `riskctl kill`, `unkill` and `throttle`: through the operator console when one is named, else on the log. */
export async function sendKillSwitchRequest(
  input: Omit<OperatorCommandInput, 'operator'>,
  route: KillSwitchRoute,
  options: KillSwitchRequestOptions,
): Promise<KillSwitchOutcome> {
  if (route.apiUrl === undefined) {
    const operator = route.identity()
    return requestKillSwitch(
      await route.openLog(),
      { ...input, operator },
      { ...options, origin: localOrigin('cli') },
    )
  }
  const token = consoleToken(route, route.apiUrl)
  // The POST is never abandoned half-way: on Ctrl+C the operator learns whether the command was sent.
  return requestViaConsole(input, { apiUrl: route.apiUrl, token, wait: options.wait, signal: options.signal })
}

export function consoleToken(route: KillSwitchRoute, apiUrl: string): string | undefined {
  const token = readOperatorToken(route.dataDir, route.envToken)
  // Only the deployment's own console is known to keep its token in Secrets Manager.
  if (token === undefined && route.deployment !== undefined && apiUrl === route.deployment.apiUrl) {
    throw operatorTokenMissing(route.deployment)
  }
  return token
}

import { operatorTokenMissing, type DeploymentSettings } from '../config/profile-settings.js'
import { readOperatorToken } from '../config/operator-token.js'
import { interrupted } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { requestKillSwitch, type KillSwitchOutcome } from './kill-switch.js'
import { requestViaConsole } from './operator-client.js'
import type { OperatorCommandInput } from '../processors/operator-command.js'

export interface KillSwitchRoute {
  /** The operator console to send it through; without one, the command goes on the log. */
  readonly apiUrl: string | undefined
  readonly openLog: () => Promise<EventLog>
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
  input: OperatorCommandInput,
  route: KillSwitchRoute,
  options: KillSwitchRequestOptions,
): Promise<KillSwitchOutcome> {
  if (route.apiUrl === undefined) return requestKillSwitch(await route.openLog(), input, options)
  const token = consoleToken(route, route.apiUrl)
  const request = requestViaConsole(input, { apiUrl: route.apiUrl, token, wait: options.wait })
  // The console client takes no signal: on Ctrl+C it is left to its last poll, and the answer is the interruption.
  request.catch(() => undefined)
  return Promise.race([request, rejectOnAbort(options.signal)])
}

function consoleToken(route: KillSwitchRoute, apiUrl: string): string | undefined {
  const token = readOperatorToken(route.dataDir, route.envToken)
  // Only the deployment's own console is known to keep its token in Secrets Manager.
  if (token === undefined && route.deployment !== undefined && apiUrl === route.deployment.apiUrl) {
    throw operatorTokenMissing(route.deployment)
  }
  return token
}

function rejectOnAbort(signal: AbortSignal): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal.aborted) reject(interrupted())
    signal.addEventListener('abort', () => reject(interrupted()), { once: true })
  })
}

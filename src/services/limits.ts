import type { LimitsRecord } from '../domain/pretrade/limits-command.js'
import type { LimitsCommandInput } from '../processors/limits-command-input.js'
import { readLimits, requestLimits, type LimitsSetOutcome } from '../processors/limits-request.js'
import { consoleToken, type KillSwitchRoute } from './kill-switch-request.js'
import { readLimitsViaConsole, setLimitsViaConsole } from './limits-client.js'
import { requireConsoleToken } from './operator-client.js'
import { localOrigin } from '../processors/operator-trail.js'

/** `riskctl limits set`: through the operator console when one is named (--api, a profile's), else on the log. */
export async function setLimits(
  input: Omit<LimitsCommandInput, 'operator'>,
  route: KillSwitchRoute,
  options: { readonly wait: boolean; readonly signal: AbortSignal },
): Promise<LimitsSetOutcome> {
  if (route.apiUrl === undefined) {
    return requestLimits(
      route.openLog,
      { ...input, operator: route.identity() },
      { ...options, origin: localOrigin('cli') },
    )
  }
  const token = requireConsoleToken(consoleToken(route, route.apiUrl))
  // The console names the operator; a placeholder stands in only so that the input is checked as on the log.
  return setLimitsViaConsole({ ...input, operator: 'console' }, { apiUrl: route.apiUrl, token, ...options })
}

/** `riskctl limits show`: GET /limits through the console when one is named, else risk_limits.v1 read here. */
export async function showLimits(scope: string | undefined, route: KillSwitchRoute): Promise<LimitsRecord[]> {
  if (route.apiUrl === undefined) return readLimits(route.openLog, scope)
  return readLimitsViaConsole(scope, {
    apiUrl: route.apiUrl,
    token: requireConsoleToken(consoleToken(route, route.apiUrl)),
  })
}

/**
 * `riskctl limits show` and `riskctl limits set` over the event log. The work is the processors' (the operator
 * console answers GET and POST /limits with the same functions), so that both channels read and change limits alike.
 */
export {
  readLimits,
  requestLimits,
  type LimitsSetOptions,
  type LimitsSetOutcome,
} from '../processors/limits-request.js'
export {
  buildLimitsCommand,
  limitsScope,
  LIMITS_SCOPE_FORMS,
  type LimitsCommandInput,
} from '../processors/limits-command-input.js'

import { z } from 'zod'
import { killCommandSchema, killStateSchema } from '../contracts/messages.js'
import type { KillState } from '../domain/kill-status.js'
import { SCOPE_FORMS, parseScope } from '../domain/scope.js'
import { badInput, ExitCode, interrupted, RiskctlError } from '../errors.js'
import { isAlreadyThere } from '../domain/kill-state.js'
import { CONFIRM_TIMEOUT_MS, notConfirmed, type KillSwitchOutcome } from './kill-switch.js'
import type { OperatorCommandInput } from '../processors/operator-command.js'

const PATHS = { KILL: '/kill', UNKILL: '/unkill', THROTTLE: '/throttle' } as const

const acceptedSchema = z.object({ cmd_id: z.string(), corr_id: z.string(), command: killCommandSchema })
const stateSchema = z.object({ scopes: z.array(killStateSchema) })

export interface OperatorClientOptions {
  readonly apiUrl: string
  readonly token: string | undefined
  readonly wait: boolean
  readonly timeoutMs?: number
  /** Ctrl+C: before the POST nothing is sent; after it, the wait ends and the answer is what was published. */
  readonly signal?: AbortSignal
}

/**
 * The same request through the operator console, as the seed's curl does: for an operator who
 * reaches the console but not the log. It confirms by watching GET /state.
 */
export async function requestViaConsole(
  input: Omit<OperatorCommandInput, 'operator'>,
  options: OperatorClientOptions,
): Promise<KillSwitchOutcome> {
  const token = requireConsoleToken(options.token)
  const scope = parseScope(input.scope)
  if (!scope.ok) {
    throw badInput('RISKCTL_SCOPE_INVALID', `Invalid scope: ${scope.problem}.`, [`Valid scopes: ${SCOPE_FORMS.join(' | ')}`])
  }
  const client = consoleClient(options.apiUrl, token)
  // A function, not a property read: the signal aborts between the awaits below.
  const stopped = (): boolean => options.signal?.aborted === true
  const before = (await client.get('/state', stateSchema)).scopes.find((s) => s.scope === scope.text)
  if (isAlreadyThere(before, input.action, input.maxOrdersPerSec)) return { outcome: 'unchanged', scope: scope.text, state: before }
  // Interrupted before it was sent: nothing was sent. From the POST on, the answer says what was.
  if (stopped()) throw interrupted()
  const accepted = await client.post(
    PATHS[input.action],
    {
      // No operator: the console records whoever its token authenticates, and refuses a body that names another.
      scope: input.scope,
      reason: input.reason,
      ...(input.maxOrdersPerSec === undefined ? {} : { max_orders_per_sec: input.maxOrdersPerSec }),
    },
    acceptedSchema,
  )
  const command = accepted.command
  if (!options.wait || stopped()) return { outcome: 'published', command }
  const timeoutMs = options.timeoutMs ?? CONFIRM_TIMEOUT_MS
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    // Ctrl+C while waiting for the state: the command was sent, and the operator is told so.
    if (stopped()) return { outcome: 'published', command }
    const state: KillState | undefined = (await client.get('/state', stateSchema)).scopes.find(
      (s) => s.last_cmd_id === command.cmd_id,
    )
    if (state) return { outcome: 'confirmed', command, state }
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
  throw notConfirmed(command, timeoutMs)
}

/** The console's bearer token, or the error that says where to find one. */
export function requireConsoleToken(token: string | undefined): string {
  if (token !== undefined) return token
  throw new RiskctlError('The operator console needs a bearer token.', {
    code: 'RISKCTL_TOKEN_MISSING',
    exitCode: ExitCode.unauthorised,
    suggestions: ['Set RISKCTL_OPERATOR_TOKEN, or use the --data-dir that `riskctl up` printed the token file of.'],
  })
}

/**
 * The console's routes over fetch, each request given `timeoutMs` to answer: longer than any wait the console does
 * itself (POST /limits waits for risk_limits.v1), so that its answer, not the client's patience, says what happened.
 */
export function consoleClient(apiUrl: string, token: string, timeoutMs = 10_000) {
  const base = apiUrl.replace(/\/+$/, '')
  async function call<T>(path: string, init: RequestInit, schema: z.ZodType<T>): Promise<T> {
    let response: Response
    try {
      response = await fetch(`${base}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      })
    } catch (error) {
      if ((error as Error).name === 'TimeoutError' && init.method === 'POST') {
        // Sent, and no answer: it may have been carried out, so this is no failure to retry blindly.
        throw new RiskctlError(
          `The operator console at ${base} did not answer ${init.method} ${path} within ${timeoutMs / 1000} s: the request may have been carried out.`,
          { code: 'RISKCTL_API_NO_ANSWER', exitCode: ExitCode.unexpected, suggestions: ['Check what is in force before sending it again (riskctl state, riskctl limits show).'] },
        )
      }
      throw new RiskctlError(`The operator console at ${base} cannot be reached (${(error as Error).message}).`, {
        code: 'RISKCTL_API_UNREACHABLE',
        exitCode: ExitCode.unavailable,
        retriable: true,
        suggestions: ['Check --api / RISKCTL_API_URL and that `riskctl up` is running with its console.'],
      })
    }
    const body: unknown = await response.json().catch(() => ({}))
    if (response.status === 401) {
      throw new RiskctlError(`The operator console at ${base} refused the token (401).`, {
        code: 'RISKCTL_UNAUTHORISED',
        exitCode: ExitCode.unauthorised,
        suggestions: ['Use the token `riskctl up` printed the location of, in RISKCTL_OPERATOR_TOKEN.'],
      })
    }
    if (response.status === 409) {
      // The command was published and the aggregator refused it (a loosening by the detector, a stale change).
      throw new RiskctlError(String((body as { error?: unknown }).error ?? 'The aggregator refused the command.'), {
        code: 'RISKCTL_COMMAND_REFUSED',
        exitCode: ExitCode.precondition,
        suggestions: ((body as { suggestions?: unknown }).suggestions as string[] | undefined) ?? [],
      })
    }
    if (!response.ok) {
      const message = (body as { error?: unknown }).error
      throw new RiskctlError(`The operator console answered ${response.status}: ${String(message ?? response.statusText)}`, {
        code: 'RISKCTL_API_ERROR',
        exitCode: response.status === 400 ? ExitCode.badInput : ExitCode.unexpected,
        suggestions: ((body as { suggestions?: unknown }).suggestions as string[] | undefined) ?? [],
      })
    }
    return schema.parse(body)
  }
  return {
    get: <T>(path: string, schema: z.ZodType<T>) => call(path, { method: 'GET' }, schema),
    post: <T>(path: string, payload: unknown, schema: z.ZodType<T>) =>
      call(path, { method: 'POST', body: JSON.stringify(payload) }, schema),
  }
}

/** --operator names who acts on the log; through a console the token does, and a different name is refused. */
export function refuseOperatorThroughConsole(operator: string | undefined): void {
  if (operator === undefined) return
  throw badInput(
    'RISKCTL_OPERATOR_WITH_API',
    '--operator cannot be used with --api: the console records the operator its token authenticates.',
    ['Drop --operator, or leave out --api to write to the log as that operator.'],
  )
}

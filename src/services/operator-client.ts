import { z } from 'zod'
import { killCommandSchema, killStateSchema } from '../contracts/messages.js'
import type { KillState } from '../domain/kill-status.js'
import { SCOPE_FORMS, parseScope } from '../domain/scope.js'
import { badInput, ExitCode, interrupted, RiskctlError } from '../errors.js'
import { isAlreadyThere } from '../domain/kill-state.js'
import { CONFIRM_TIMEOUT_MS, notConfirmed, type KillSwitchOutcome } from './kill-switch.js'
import type { OperatorCommandInput } from '../processors/operator-command.js'

const PATHS = { KILL: '/kill', UNKILL: '/unkill', THROTTLE: '/throttle' } as const

const acceptedSchema = z.object({
  cmd_id: z.string(),
  corr_id: z.string(),
  command: killCommandSchema,
  approval_required: z.boolean().optional(),
  request_id: z.string().optional(),
})
const heldSchema = z.object({
  approvals: z.array(z.object({ request_id: z.string(), expires_ts: z.number() })),
})
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
    throw badInput('RISKCTL_SCOPE_INVALID', `Invalid scope: ${scope.problem}.`, [
      `Valid scopes: ${SCOPE_FORMS.join(' | ')}`,
    ])
  }
  const client = consoleClient(options.apiUrl, token)
  // A function, not a property read: the signal aborts between the awaits below.
  const stopped = (): boolean => options.signal?.aborted === true
  const before = (await client.get('/state', stateSchema)).scopes.find((s) => s.scope === scope.text)
  // A KILL of a scope already KILLED is sent all the same while a request to lift it is held: it cancels the request.
  if (
    isAlreadyThere(before, input.action, input.maxOrdersPerSec) &&
    !(input.action === 'KILL' && (await heldFor(client, scope.text)))
  ) {
    return { outcome: 'unchanged', scope: scope.text, state: before }
  }
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
  if (accepted.approval_required === true) {
    const requestId = accepted.request_id ?? command.cmd_id
    const held = await client.get('/approvals', heldSchema).catch(() => ({ approvals: [] }))
    return {
      outcome: 'pending',
      command,
      request_id: requestId,
      expires_ts: held.approvals.find((a) => a.request_id === requestId)?.expires_ts,
    }
  }
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

/**
 * Whether the console holds a request (four eyes) to lift this scope. When that cannot be told, the KILL is sent:
 * a KILL sent once too often changes nothing that matters, one not sent could leave a request to lift it standing.
 */
async function heldFor(client: ReturnType<typeof consoleClient>, scope: string): Promise<boolean> {
  const pending = z.object({ approvals: z.array(z.object({ scope: z.string(), status: z.string() })) })
  try {
    return (await client.get('/approvals', pending)).approvals.some(
      (request) => request.scope === scope && request.status === 'PENDING',
    )
  } catch {
    return true
  }
}

/** The console's bearer token, or the error that says where to find one. */
export function requireConsoleToken(token: string | undefined): string {
  if (token !== undefined) return token
  throw new RiskctlError('The operator console needs a bearer token.', {
    code: 'RISKCTL_TOKEN_MISSING',
    exitCode: ExitCode.unauthorised,
    suggestions: [
      'Set RISKCTL_OPERATOR_TOKEN, or use the --data-dir that `riskctl up` printed the token file of.',
    ],
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
          {
            code: 'RISKCTL_API_NO_ANSWER',
            exitCode: ExitCode.unexpected,
            suggestions: [
              'Check what is in force before sending it again (riskctl state, riskctl limits show).',
            ],
          },
        )
      }
      throw new RiskctlError(
        `The operator console at ${base} cannot be reached (${(error as Error).message}).`,
        {
          code: 'RISKCTL_API_UNREACHABLE',
          exitCode: ExitCode.unavailable,
          retriable: true,
          suggestions: ['Check --api / RISKCTL_API_URL and that `riskctl up` is running with its console.'],
        },
      )
    }
    const body: unknown = await response.json().catch(() => ({}))
    if (response.status === 401) {
      throw new RiskctlError(`The operator console at ${base} refused the token (401).`, {
        code: 'RISKCTL_UNAUTHORISED',
        exitCode: ExitCode.unauthorised,
        suggestions: ['Use the token `riskctl up` printed the location of, in RISKCTL_OPERATOR_TOKEN.'],
      })
    }
    if (response.status === 403) {
      // Authenticated, and short of the role: the console names the role it needs.
      const neededRole = (body as { needed_role?: unknown }).needed_role
      throw new RiskctlError(
        String((body as { error?: unknown }).error ?? 'The operator console refused the request (403).'),
        {
          code: 'RISKCTL_FORBIDDEN',
          exitCode: ExitCode.unauthorised,
          suggestions:
            typeof neededRole === 'string'
              ? [`Ask for it as a user with the role ${neededRole} (riskctl users list shows who has which).`]
              : [],
        },
      )
    }
    if (response.status === 429) {
      throw new RiskctlError(String((body as { error?: unknown }).error ?? 'Too many failed logins.'), {
        code: 'RISKCTL_RATE_LIMITED',
        exitCode: ExitCode.unauthorised,
        suggestions: [
          `Wait ${response.headers.get('retry-after') ?? 'a minute'} s, and check the token: riskctl users rotate NAME gives a new one.`,
        ],
      })
    }
    if (response.status === 409) {
      // The command was published and the aggregator refused it (a loosening by the detector, a stale change).
      throw new RiskctlError(
        String((body as { error?: unknown }).error ?? 'The aggregator refused the command.'),
        {
          code: 'RISKCTL_COMMAND_REFUSED',
          exitCode: ExitCode.precondition,
          suggestions: ((body as { suggestions?: unknown }).suggestions as string[] | undefined) ?? [],
        },
      )
    }
    if (!response.ok) {
      const message = (body as { error?: unknown }).error
      throw new RiskctlError(
        `The operator console answered ${response.status}: ${String(message ?? response.statusText)}`,
        {
          code: 'RISKCTL_API_ERROR',
          // 404 names something that is not there (a request id): the input's fault, as a 400's is.
          exitCode:
            response.status === 400 || response.status === 404 ? ExitCode.badInput : ExitCode.unexpected,
          suggestions: ((body as { suggestions?: unknown }).suggestions as string[] | undefined) ?? [],
        },
      )
    }
    return schema.parse(body)
  }
  return {
    get: <T>(path: string, schema: z.ZodType<T>) => call(path, { method: 'GET' }, schema),
    post: <T>(path: string, payload: unknown, schema: z.ZodType<T>) =>
      call(path, { method: 'POST', body: JSON.stringify(payload) }, schema),
  }
}

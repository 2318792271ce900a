import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import { tokenMatches } from '../config/operator-token.js'
import { claimedUser, type Identity, type UserStore } from '../config/user-store.js'

/**
 * Failed logins a client may have in a window before it is answered 429 without its token being looked at. A token
 * carries 256 random bits, so this is not what stops guessing: it bounds what a flood of wrong tokens costs the
 * console (a hash each) and the operator-action trail (an entry each).
 */
export interface FailedLoginLimit {
  readonly max: number
  readonly windowMs: number
}

export const DEFAULT_FAILED_LOGIN_LIMIT: FailedLoginLimit = { max: 10, windowMs: 60_000 }
/**
 * An address's failed logins in all names together may be this many times one name's: wrong tokens in ever new
 * names (each a hash and a trail entry) stop there too.
 */
const ADDRESS_FACTOR = 10

export type AuthVerdict =
  | { readonly type: 'authenticated'; readonly identity: Identity }
  | { readonly type: 'unauthenticated'; readonly claimed: string | undefined }
  /** `first`: this request took the client over the limit (the trail records that one, not each after it). */
  | { readonly type: 'rate-limited'; readonly retryAfterSeconds: number; readonly first: boolean; readonly claimed: string | undefined }

export interface ConsoleAuthOptions {
  /** The bootstrap token: the admin's. */
  readonly token: string
  readonly users?: Pick<UserStore, 'authenticate' | 'remembered'> | undefined
  readonly limit?: FailedLoginLimit | undefined
  readonly bootstrap: Identity
}

type Limiter = (
  request: FastifyRequest,
  options?: { increment: boolean },
) => Promise<{ isAllowed: true } | { isAllowed: false; isExceeded: boolean; ttlInSeconds: number }>

/**
 * The console's bearer-token check, with @fastify/rate-limit counting each client's failed logins (a client: an
 * address and the user the token names). A client over the limit is refused without a hash being computed; only the
 * bootstrap token (compared in constant time) and a token verified before still pass, so that wrong tokens sent in
 * someone's name lock that person out of nothing they were already using.
 */
export function consoleAuthenticator(app: FastifyInstance, options: ConsoleAuthOptions): (request: FastifyRequest) => Promise<AuthVerdict> {
  const limit = options.limit ?? DEFAULT_FAILED_LOGIN_LIMIT
  app.register(rateLimit, { global: false })
  const limiters = new Map<string, Limiter>()
  const limiter = (name: 'name' | 'address'): Limiter => {
    const known = limiters.get(name)
    if (known !== undefined) return known
    const created = (app as unknown as { createRateLimit(o: object): Limiter }).createRateLimit({
      max: name === 'name' ? limit.max : limit.max * ADDRESS_FACTOR,
      timeWindow: limit.windowMs,
      keyGenerator: (request: FastifyRequest) => (name === 'name' ? clientKey(request) : request.ip),
    })
    limiters.set(name, created)
    return created
  }
  const overLimit = async (request: FastifyRequest, increment: boolean): Promise<number | undefined> => {
    for (const name of ['address', 'name'] as const) {
      const verdict = await limiter(name)(request, { increment })
      if (!verdict.isAllowed && verdict.isExceeded) return Math.max(1, verdict.ttlInSeconds)
    }
    return undefined
  }

  return async (request) => {
    const presented = bearerToken(request)
    const claimed = presented === undefined ? undefined : claimedUser(presented)
    if (presented !== undefined && tokenMatches(options.token, presented)) return { type: 'authenticated', identity: options.bootstrap }
    const blocked = await overLimit(request, false)
    if (blocked !== undefined) {
      const remembered = presented === undefined ? undefined : options.users?.remembered(presented)
      if (remembered !== undefined) return { type: 'authenticated', identity: remembered }
      return { type: 'rate-limited', retryAfterSeconds: blocked, first: false, claimed }
    }
    const identity = presented === undefined ? undefined : await options.users?.authenticate(presented)
    if (identity !== undefined) return { type: 'authenticated', identity }
    // Counted in both: the address's count and the name's.
    const address = await limiter('address')(request, { increment: true })
    const named = await limiter('name')(request, { increment: true })
    const over = [address, named].find((verdict) => !verdict.isAllowed && verdict.isExceeded)
    if (over !== undefined && !over.isAllowed) return { type: 'rate-limited', retryAfterSeconds: Math.max(1, over.ttlInSeconds), first: true, claimed }
    return { type: 'unauthenticated', claimed }
  }
}

/**
 * A client is an address and the user its token names: wrong tokens in alice's name lock out guesses at alice from
 * that address, not bob, nor a fresh user's first login from the same shared 127.0.0.1 (until the address's own,
 * larger limit is reached).
 */
function clientKey(request: FastifyRequest): string {
  const presented = bearerToken(request)
  const claimed = presented === undefined ? undefined : claimedUser(presented)
  return `${request.ip}\u0000${claimed?.toLowerCase() ?? ''}`
}

function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization
  if (typeof header !== 'string') return undefined
  return /^Bearer\s+(.+)$/i.exec(header.trim())?.[1]
}

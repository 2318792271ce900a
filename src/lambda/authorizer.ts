import { tokenMatches } from '../config/operator-token.js'
import { operatorTokenSecret } from './secret.js'

/** The parts of an HTTP API (payload 2.0) authorizer request that matter here. */
export interface AuthorizerEvent {
  readonly headers?: Readonly<Record<string, string | undefined>>
}

export interface AuthorizerResult {
  readonly isAuthorized: boolean
}

/**
 * The operator console's gate on API Gateway: the same bearer-token check, in constant time, as
 * the console on a laptop, against the token kept in Secrets Manager. Any failure denies.
 */
export async function handler(event: AuthorizerEvent): Promise<AuthorizerResult> {
  return { isAuthorized: await authorise(event, () => operatorTokenSecret()) }
}

export async function authorise(event: AuthorizerEvent, token: () => Promise<string>): Promise<boolean> {
  const header = event.headers?.authorization ?? event.headers?.Authorization
  const match = header === undefined ? null : /^Bearer\s+(.+)$/i.exec(header.trim())
  if (match?.[1] === undefined) return false
  try {
    return tokenMatches(await token(), match[1])
  } catch {
    return false
  }
}

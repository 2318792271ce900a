import { randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'

export const TOKEN_FILE = 'operator-token'

export interface OperatorToken {
  readonly value: string
  /** Where it came from, to tell the operator without showing the token itself. */
  readonly source: { readonly type: 'env' } | { readonly type: 'file'; readonly path: string; readonly created: boolean }
}

/**
 * The console's bearer token: RISKCTL_OPERATOR_TOKEN if set, else one generated once into the
 * data directory, readable by its owner only (0600).
 */
export function resolveOperatorToken(dataDir: string, envToken: string | undefined): OperatorToken {
  if (envToken !== undefined && envToken.trim() !== '') return { value: envToken.trim(), source: { type: 'env' } }
  const file = path.join(dataDir, TOKEN_FILE)
  const existing = readTokenFile(file)
  if (existing !== undefined) return { value: existing, source: { type: 'file', path: file, created: false } }
  const value = randomBytes(32).toString('base64url')
  // On Kafka nothing else creates the data dir, which still holds the token and the audit index.
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  try {
    fs.writeFileSync(file, `${value}\n`, { mode: 0o600, flag: 'wx' })
  } catch (error) {
    // Another process wrote it first: use theirs, so both agree.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      return { value: readTokenFile(file) ?? value, source: { type: 'file', path: file, created: false } }
    }
    throw error
  }
  return { value, source: { type: 'file', path: file, created: true } }
}

/** The token for a client (riskctl kill --api): the environment, else the data directory's file. */
export function readOperatorToken(dataDir: string, envToken: string | undefined): string | undefined {
  if (envToken !== undefined && envToken.trim() !== '') return envToken.trim()
  return readTokenFile(path.join(dataDir, TOKEN_FILE))
}

function readTokenFile(file: string): string | undefined {
  try {
    const value = fs.readFileSync(file, 'utf8').trim()
    return value === '' ? undefined : value
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
}

/** Constant-time comparison, on digests so that the lengths do not leak either. */
export function tokenMatches(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(presented).digest()
  return timingSafeEqual(a, b)
}

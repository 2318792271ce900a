import { randomBytes, timingSafeEqual, createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { readSecretFile } from './secret-file.js'
import { ExitCode, RiskctlError } from '../errors.js'

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
  if (envToken !== undefined && envToken.trim() !== '') return { value: strongEnough(envToken.trim(), 'RISKCTL_OPERATOR_TOKEN'), source: { type: 'env' } }
  const file = path.join(dataDir, TOKEN_FILE)
  const existing = readTokenFile(file)
  if (existing !== undefined) return { value: strongEnough(existing, file), source: { type: 'file', path: file, created: false } }
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

/** The shortest bootstrap token the console starts with: a generated one has 43 characters (256 bits). */
export const MIN_TOKEN_LENGTH = 32

/** A short token is guessable: the console refuses to start on one rather than guard itself with it. */
function strongEnough(token: string, where: string): string {
  if (token.length >= MIN_TOKEN_LENGTH) return token
  throw new RiskctlError(`The operator token in ${where} has ${token.length} characters; the console takes none shorter than ${MIN_TOKEN_LENGTH}.`, {
    code: 'RISKCTL_TOKEN_WEAK',
    exitCode: ExitCode.badInput,
    suggestions: [
      'Generate one: node -e "console.log(require(\'crypto\').randomBytes(32).toString(\'base64url\'))"',
      'Or leave RISKCTL_OPERATOR_TOKEN unset: riskctl up then generates one into the data directory.',
    ],
  })
}

/** The token for a client (riskctl kill --api): the environment, else the data directory's file. */
export function readOperatorToken(dataDir: string, envToken: string | undefined): string | undefined {
  if (envToken !== undefined && envToken.trim() !== '') return envToken.trim()
  return readTokenFile(path.join(dataDir, TOKEN_FILE))
}

function readTokenFile(file: string): string | undefined {
  const value = readSecretFile(file)?.trim()
  return value === '' ? undefined : value
}

/** Constant-time comparison, on digests so that the lengths do not leak either. */
export function tokenMatches(expected: string, presented: string): boolean {
  const a = createHash('sha256').update(expected).digest()
  const b = createHash('sha256').update(presented).digest()
  return timingSafeEqual(a, b)
}

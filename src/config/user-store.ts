import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { OPERATOR_IDENTITY, OPERATOR_IDENTITY_FORM } from '../domain/kill-state.js'
import { badInput, ExitCode, RiskctlError } from '../errors.js'

export const USERS_FILE = 'users.json'
export const ROLES = ['viewer', 'operator', 'supervisor'] as const
export type Role = (typeof ROLES)[number]

/** What each role may do beyond the one below it (a supervisor may do all an operator may, and so on). */
export const ROLE_RIGHTS: Readonly<Record<Role, string>> = {
  viewer: 'read the state, the limits and the audit trail',
  operator: 'also kill, throttle and tighten limits',
  supervisor: 'also unkill and loosen limits',
}

export function roleAtLeast(role: Role, needed: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(needed)
}

/** Who a request is: a named user, or the data directory's bootstrap token, which stands for the admin. */
export interface Identity {
  readonly name: string
  readonly role: Role
  readonly bootstrap: boolean
}

/** scrypt's cost (N = 2^14): tens of milliseconds per token, once; a verified token is remembered after. */
const SCRYPT: ScryptOptions = { N: 16_384, r: 8, p: 1, maxmem: 64 * 1024 * 1024 }
const KEY_BYTES = 32
const TOKEN_PREFIX = 'rk1'

const userSchema = z.strictObject({
  name: z.string().regex(OPERATOR_IDENTITY),
  role: z.enum(ROLES),
  salt: z.string().min(1),
  hash: z.string().min(1),
  created_ts: z.number().int().nonnegative(),
  rotated_ts: z.number().int().nonnegative(),
})
const fileSchema = z.strictObject({ version: z.literal(1), users: z.array(userSchema) })

type StoredUser = z.infer<typeof userSchema>

/** A user as `riskctl users list` shows them: never the hash or the salt. */
export interface UserSummary {
  readonly name: string
  readonly role: Role
  readonly created_ts: number
  readonly rotated_ts: number
}

/** A personal token, shown once: only its salted hash is kept. */
export interface IssuedToken {
  readonly user: UserSummary
  readonly token: string
}

/**
 * The console's users in the data directory (users.json, readable by its owner only): per user a role and the
 * scrypt hash of a personal token with its own salt. A token names its user (`rk1.<name>.<secret>`), so checking one
 * costs one scrypt, not one per user.
 */
export class UserStore {
  private readonly file: string
  /** sha256 of tokens already verified, per the file's version: a request does not pay scrypt each time. */
  private verified = new Map<string, Identity>()
  private verifiedFor: string | undefined

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, USERS_FILE)
  }

  list(): UserSummary[] {
    return this.read().map(summary)
  }

  async add(name: string, role: string): Promise<IssuedToken> {
    const checkedName = userName(name)
    const checkedRole = roleOf(role)
    const users = this.read()
    if (users.some((user) => user.name === checkedName)) {
      throw new RiskctlError(`There is already a user ${checkedName}.`, {
        code: 'RISKCTL_USER_EXISTS',
        exitCode: ExitCode.precondition,
        suggestions: [`To give ${checkedName} a new token: riskctl users rotate ${checkedName}`],
      })
    }
    const now = Date.now()
    const { token, salt, hash } = await issue(checkedName)
    const user: StoredUser = { name: checkedName, role: checkedRole, salt, hash, created_ts: now, rotated_ts: now }
    this.write([...users, user])
    return { user: summary(user), token }
  }

  async rotate(name: string): Promise<IssuedToken> {
    const users = this.read()
    const user = users.find((candidate) => candidate.name === name)
    if (user === undefined) throw unknownUser(name, users)
    const { token, salt, hash } = await issue(user.name)
    const rotated: StoredUser = { ...user, salt, hash, rotated_ts: Date.now() }
    this.write(users.map((candidate) => (candidate.name === name ? rotated : candidate)))
    return { user: summary(rotated), token }
  }

  remove(name: string): UserSummary {
    const users = this.read()
    const user = users.find((candidate) => candidate.name === name)
    if (user === undefined) throw unknownUser(name, users)
    this.write(users.filter((candidate) => candidate.name !== name))
    return summary(user)
  }

  /** The user a presented token is, if it is one's current token; read afresh whenever the file changed. */
  async authenticate(presented: string): Promise<Identity | undefined> {
    const parts = presented.split('.')
    if (parts.length !== 3 || parts[0] !== TOKEN_PREFIX) return undefined
    const version = this.version()
    if (version !== this.verifiedFor) {
      this.verified = new Map()
      this.verifiedFor = version
    }
    const digest = createHash('sha256').update(presented).digest('base64')
    const known = this.verified.get(digest)
    if (known !== undefined) return known
    const user = this.read().find((candidate) => candidate.name === parts[1])
    if (user === undefined) return undefined
    const expected = Buffer.from(user.hash, 'base64')
    const actual = await derive(presented, Buffer.from(user.salt, 'base64'))
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined
    const identity: Identity = { name: user.name, role: user.role, bootstrap: false }
    // Bounded: a flood of distinct valid tokens cannot grow it past the users there are.
    if (this.verified.size < 1024) this.verified.set(digest, identity)
    return identity
  }

  private version(): string {
    try {
      const stat = fs.statSync(this.file)
      return `${stat.mtimeMs}:${stat.size}:${stat.ino}`
    } catch {
      return 'none'
    }
  }

  private read(): StoredUser[] {
    let text: string
    try {
      text = fs.readFileSync(this.file, 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
      throw error
    }
    let parsed: ReturnType<typeof fileSchema.safeParse>
    try {
      parsed = fileSchema.safeParse(JSON.parse(text))
    } catch {
      parsed = fileSchema.safeParse(undefined)
    }
    // A damaged file admits nobody: better no user than the wrong one.
    if (!parsed.success) {
      throw new RiskctlError(`${this.file} is not a riskctl users file, so no user can be checked.`, {
        code: 'RISKCTL_USERS_FILE_INVALID',
        exitCode: ExitCode.precondition,
        suggestions: ['Restore it from a backup, or move it away and add the users again.'],
      })
    }
    return parsed.data.users
  }

  private write(users: readonly StoredUser[]): void {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 })
    const temporary = `${this.file}.${process.pid}.tmp`
    fs.writeFileSync(temporary, `${JSON.stringify({ version: 1, users }, null, 2)}\n`, { mode: 0o600 })
    // Whole or not at all: a reader never sees half a file.
    fs.renameSync(temporary, this.file)
  }
}

function summary(user: StoredUser): UserSummary {
  return { name: user.name, role: user.role, created_ts: user.created_ts, rotated_ts: user.rotated_ts }
}

async function issue(name: string): Promise<{ token: string; salt: string; hash: string }> {
  const token = `${TOKEN_PREFIX}.${name}.${randomBytes(32).toString('base64url')}`
  const salt = randomBytes(16)
  const hash = await derive(token, salt)
  return { token, salt: salt.toString('base64'), hash: hash.toString('base64') }
}

function derive(token: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scrypt(token, salt, KEY_BYTES, SCRYPT, (error, key) => (error === null ? resolve(key) : reject(error))),
  )
}

function userName(name: string): string {
  // The bootstrap token's identity is `console`: no user may take it and be mistaken for the admin.
  if (!OPERATOR_IDENTITY.test(name) || name === 'console') {
    throw badInput('RISKCTL_USER_NAME_INVALID', `Invalid user name ${JSON.stringify(name)}.`, [
      `A user name has ${OPERATOR_IDENTITY_FORM}; "console" is the bootstrap token's.`,
    ])
  }
  return name
}

function roleOf(role: string): Role {
  if ((ROLES as readonly string[]).includes(role)) return role as Role
  throw badInput('RISKCTL_ROLE_INVALID', `Invalid role ${JSON.stringify(role)}.`, [
    ...ROLES.map((name) => `${name}: ${ROLE_RIGHTS[name]}`),
  ])
}

function unknownUser(name: string, users: readonly StoredUser[]): RiskctlError {
  return new RiskctlError(`There is no user ${JSON.stringify(name)}.`, {
    code: 'RISKCTL_USER_UNKNOWN',
    exitCode: ExitCode.precondition,
    suggestions: [users.length === 0 ? 'There are no users yet: riskctl users add NAME --role operator' : `Users: ${users.map((user) => user.name).join(', ')}`],
  })
}

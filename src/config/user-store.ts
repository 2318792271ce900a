import { createHash, randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { readSecretFile } from './secret-file.js'
import { RESERVED_NAMES, USER_NAME, USER_NAME_FORM } from '../domain/operator-identity.js'
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

/**
 * scrypt's cost. A token carries 256 random bits, so no cost makes guessing it easier or harder; a low one (about
 * a millisecond) keeps a flood of wrong tokens from costing the console more than any other request.
 */
const SCRYPT: ScryptOptions = { N: 1024, r: 8, p: 1 }
/** A salt for the check of a token whose user does not exist: it costs what a real check costs. */
const DECOY_SALT = randomBytes(16)
const LOCK_WAIT_MS = 5_000
const KEY_BYTES = 32
const TOKEN_PREFIX = 'rk1'

const userSchema = z.strictObject({
  name: z.string().regex(USER_NAME),
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
  /**
   * Tokens already verified (by sha256), with the hash they matched: a request does not pay scrypt each time. After a
   * change of the file an entry still holds while its user keeps that very hash; a rotation or removal ends it, and a
   * new role is taken from the file.
   */
  private readonly verified = new Map<string, { identity: Identity; hash: string; version: string }>()

  constructor(readonly dataDir: string) {
    this.file = path.join(dataDir, USERS_FILE)
  }

  list(): UserSummary[] {
    return this.read().map(summary)
  }

  async add(name: string, role: string): Promise<IssuedToken> {
    const checkedName = userName(name)
    const checkedRole = roleOf(role)
    const { token, salt, hash } = await issue(checkedName)
    return this.locked(() => {
      const users = this.read()
      // Alice and alice would be one person to a reader of the trail: names are unique whatever their case.
      const existing = users.find((user) => user.name.toLowerCase() === checkedName.toLowerCase())
      if (existing !== undefined) {
        throw new RiskctlError(`There is already a user ${existing.name}.`, {
          code: 'RISKCTL_USER_EXISTS',
          exitCode: ExitCode.precondition,
          suggestions: [`To give ${existing.name} a new token: riskctl users rotate ${existing.name}`],
        })
      }
      const now = Date.now()
      const user: StoredUser = { name: checkedName, role: checkedRole, salt, hash, created_ts: now, rotated_ts: now }
      this.write([...users, user])
      return { user: summary(user), token }
    })
  }

  async rotate(name: string): Promise<IssuedToken> {
    const { token, salt, hash } = await issue(name)
    return this.locked(() => {
      const users = this.read()
      const user = users.find((candidate) => candidate.name === name)
      if (user === undefined) throw unknownUser(name, users)
      const rotated: StoredUser = { ...user, salt, hash, rotated_ts: Date.now() }
      this.write(users.map((candidate) => (candidate.name === name ? rotated : candidate)))
      return { user: summary(rotated), token }
    })
  }

  async remove(name: string): Promise<UserSummary> {
    return this.locked(() => {
      const users = this.read()
      const user = users.find((candidate) => candidate.name === name)
      if (user === undefined) throw unknownUser(name, users)
      this.write(users.filter((candidate) => candidate.name !== name))
      return summary(user)
    })
  }

  /**
   * One change at a time across processes: read, change and write under a lock file, so that a user removed by one
   * `riskctl users` is never written back by another. A lock older than the wait is a crashed holder's.
   */
  private async locked<T>(change: () => T): Promise<T> {
    fs.mkdirSync(this.dataDir, { recursive: true, mode: 0o700 })
    const lock = `${this.file}.lock`
    const deadline = Date.now() + LOCK_WAIT_MS
    for (;;) {
      try {
        fs.closeSync(fs.openSync(lock, 'wx', 0o600))
        break
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
        const age = Date.now() - (fs.statSync(lock, { throwIfNoEntry: false })?.mtimeMs ?? Date.now())
        if (age > LOCK_WAIT_MS) fs.rmSync(lock, { force: true })
        else if (Date.now() > deadline) {
          throw new RiskctlError(`${lock} is held: another riskctl users is changing the users.`, {
            code: 'RISKCTL_USERS_BUSY',
            exitCode: ExitCode.unavailable,
            retriable: true,
          })
        } else await new Promise((resolve) => setTimeout(resolve, 20))
      }
    }
    try {
      return change()
    } finally {
      fs.rmSync(lock, { force: true })
    }
  }

  /** The user a presented token is, if it is one's current token; read afresh whenever the file changed. */
  async authenticate(presented: string, attempts = 3): Promise<Identity | undefined> {
    const name = nameIn(presented)
    if (name === undefined) return undefined
    const version = this.version()
    const digest = createHash('sha256').update(presented).digest('base64')
    const known = this.known(digest, version)
    if (known !== undefined) return known
    const user = this.read().find((candidate) => candidate.name === name)
    // An unknown user's check costs what a known one's does: the time taken tells no names.
    const actual = await derive(presented, user === undefined ? DECOY_SALT : Buffer.from(user.salt, 'base64'))
    // Changed while the check ran (a rotation, a removal): the answer is the new file's, never the old one's.
    if (this.version() !== version) return attempts > 1 ? this.authenticate(presented, attempts - 1) : undefined
    if (user === undefined) return undefined
    const expected = Buffer.from(user.hash, 'base64')
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined
    const identity: Identity = { name: user.name, role: user.role, bootstrap: false }
    // Bounded: a flood of distinct valid tokens cannot grow it past the users there are.
    if (this.verified.size < 1024 && this.version() === version) this.verified.set(digest, { identity, hash: user.hash, version })
    return identity
  }

  /**
   * The user of a token this store verified before, without hashing anything: what a client whose failed logins
   * are over the limit may still use, so that a flood of wrong tokens from a shared address locks nobody out.
   */
  remembered(presented: string): Identity | undefined {
    return this.known(createHash('sha256').update(presented).digest('base64'), this.version())
  }

  /** A verified token's user as the file now has it, or undefined once the user's token changed or they went. */
  private known(digest: string, version: string): Identity | undefined {
    const entry = this.verified.get(digest)
    if (entry === undefined || entry.version === version) return entry?.identity
    const user = this.read().find((candidate) => candidate.name === entry.identity.name)
    if (user === undefined || user.hash !== entry.hash) {
      this.verified.delete(digest)
      return undefined
    }
    const identity: Identity = { name: user.name, role: user.role, bootstrap: false }
    this.verified.set(digest, { identity, hash: user.hash, version })
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
    const text = readSecretFile(this.file)
    if (text === undefined) return []
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
    const fd = fs.openSync(temporary, 'w', 0o600)
    try {
      fs.writeFileSync(fd, `${JSON.stringify({ version: 1, users }, null, 2)}\n`)
      fs.fsyncSync(fd)
    } finally {
      fs.closeSync(fd)
    }
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
  // `console` is the bootstrap token's identity, and the others the log's own writers: no user may pass for them.
  if (!USER_NAME.test(name) || RESERVED_NAMES.has(name.toLowerCase())) {
    throw badInput('RISKCTL_USER_NAME_INVALID', `Invalid user name ${JSON.stringify(name)}.`, [
      `A user name has ${USER_NAME_FORM}; ${[...RESERVED_NAMES].join(', ')} are taken by riskctl itself.`,
    ])
  }
  return name
}

/** The user a presented token claims to be, for the trail of a failed login: the name only, never the secret. */
export function claimedUser(presented: string): string | undefined {
  return nameIn(presented)
}

/** The user a token names (`rk1.<name>.<secret>`, a name may hold dots), or undefined when it is no token. */
function nameIn(presented: string): string | undefined {
  if (!presented.startsWith(`${TOKEN_PREFIX}.`)) return undefined
  const last = presented.lastIndexOf('.')
  const name = presented.slice(TOKEN_PREFIX.length + 1, last)
  // A secret is 43 base64url characters: anything longer is no token, and costs no hashing.
  const secret = presented.slice(last + 1)
  return USER_NAME.test(name) && /^[A-Za-z0-9_-]{43}$/.test(secret) ? name : undefined
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

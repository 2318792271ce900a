import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { USERS_FILE, UserStore, roleAtLeast } from '../../../src/config/user-store.js'
import { isRiskctlError } from '../../../src/errors.js'

const dirs: string[] = []
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true })
})
function store(): UserStore {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-users-'))
  dirs.push(dir)
  return new UserStore(path.join(dir, 'data'))
}

describe('UserStore', () => {
  it('keeps only a salted hash of each token, in a file its owner alone reads, and authenticates the token to its user', async () => {
    const users = store()
    const alice = await users.add('alice', 'supervisor')
    const bob = await users.add('bob', 'viewer')
    const file = path.join(users.dataDir, USERS_FILE)
    const text = fs.readFileSync(file, 'utf8')
    expect(text).not.toContain(alice.token.split('.')[2])
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(await users.authenticate(alice.token)).toEqual({ name: 'alice', role: 'supervisor', bootstrap: false })
    expect(await users.authenticate(bob.token)).toEqual({ name: 'bob', role: 'viewer', bootstrap: false })
    // Another user's name on one's secret, and anything not a token, authenticate nobody.
    expect(await users.authenticate(`rk1.alice.${bob.token.split('.')[2]}`)).toBeUndefined()
    for (const junk of ['', 'rk1', 'rk1..x', 'alice', alice.token.toUpperCase(), `${alice.token}.x`]) expect(await users.authenticate(junk), junk).toBeUndefined()
    expect(users.list().map((u) => [u.name, u.role])).toEqual([
      ['alice', 'supervisor'],
      ['bob', 'viewer'],
    ])
  })

  it('sees a change made by another process at once: a rotated or removed token no longer authenticates', async () => {
    const users = store()
    const alice = await users.add('alice', 'operator')
    expect(await users.authenticate(alice.token)).toBeDefined()
    const elsewhere = new UserStore(users.dataDir)
    const rotated = await elsewhere.rotate('alice')
    expect(await users.authenticate(alice.token)).toBeUndefined()
    expect(await users.authenticate(rotated.token)).toMatchObject({ name: 'alice' })
    await elsewhere.remove('alice')
    expect(await users.authenticate(rotated.token)).toBeUndefined()
  })

  it('takes names with dots, refuses the names riskctl writes as, and keeps every change of processes that overlap', async () => {
    const users = store()
    const dotted = await users.add('alice.smith', 'operator')
    expect(await users.authenticate(dotted.token)).toMatchObject({ name: 'alice.smith' })
    const reserved = ['console', 'aggregator', 'detector', 'router', 'spark', 'Spark', 'DETECTOR', 'local', 'sasl', 'unverified', 'unauthenticated']
    for (const name of [...reserved, '', '-x', 'a b', 'local:alice', 'alice\u200b', 'ａｌｉｃｅ']) {
      await expect(users.add(name, 'viewer'), name).rejects.toMatchObject({ code: 'RISKCTL_USER_NAME_INVALID' })
    }
    await users.add('bob', 'viewer')
    // Two processes at once: one removes bob while another adds carol; bob must not come back.
    const other = new UserStore(users.dataDir)
    await Promise.all([other.remove('bob'), users.add('carol', 'viewer'), new UserStore(users.dataDir).add('dave', 'viewer')])
    expect(users.list().map((u) => u.name).sort()).toEqual(['alice.smith', 'carol', 'dave'])
  })

  it('keeps names unique whatever their case, and refuses a users file others may read', async () => {
    const users = store()
    const alice = await users.add('alice', 'operator')
    await expect(users.add('Alice', 'supervisor')).rejects.toMatchObject({ code: 'RISKCTL_USER_EXISTS', message: 'There is already a user alice.' })
    const file = path.join(users.dataDir, USERS_FILE)
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    fs.chmodSync(file, 0o644)
    await expect(users.authenticate(alice.token)).rejects.toMatchObject({ code: 'RISKCTL_SECRET_FILE_EXPOSED', exitCode: 4 })
    expect(() => users.list()).toThrow(expect.objectContaining({ code: 'RISKCTL_SECRET_FILE_EXPOSED' }))
    fs.chmodSync(file, 0o600)
    expect(await users.authenticate(alice.token)).toMatchObject({ name: 'alice', role: 'operator' })
    // Remembered once verified: across a change of someone else, not across a rotation of alice's own token.
    expect(users.remembered(alice.token)).toMatchObject({ name: 'alice' })
    expect(users.remembered(`rk1.alice.${'A'.repeat(43)}`)).toBeUndefined()
    await users.add('bob', 'viewer')
    expect(users.remembered(alice.token)).toMatchObject({ name: 'alice', role: 'operator' })
    await users.rotate('alice')
    expect(users.remembered(alice.token)).toBeUndefined()
    expect(await users.authenticate(alice.token)).toBeUndefined()
  })

  it('admits nobody from a damaged file, and says so', async () => {
    const users = store()
    const alice = await users.add('alice', 'operator')
    fs.writeFileSync(path.join(users.dataDir, USERS_FILE), '{"version":1,"users":[{"name":"alice","role":"root"}]}')
    const failure = await users.authenticate(alice.token).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(isRiskctlError(failure) && failure.code).toBe('RISKCTL_USERS_FILE_INVALID')
  })

  it('orders the roles: a supervisor may do all an operator may, an operator all a viewer may', () => {
    expect(roleAtLeast('supervisor', 'operator')).toBe(true)
    expect(roleAtLeast('operator', 'supervisor')).toBe(false)
    expect(roleAtLeast('viewer', 'operator')).toBe(false)
    expect(roleAtLeast('viewer', 'viewer')).toBe(true)
  })
})

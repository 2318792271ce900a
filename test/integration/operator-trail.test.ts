import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildOperatorApi, CONSOLE_OPERATOR } from '../../src/processors/operator-api.js'
import { UserStore } from '../../src/config/user-store.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { OperatorActionRecord } from '../../src/domain/operator-action.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { KILL_COMMANDS, OPERATOR_ACTIONS, TOPICS } from '../../topologies/topics.js'
import { queryActions } from '../../src/services/operator-actions.js'

const TOKEN = 'bootstrap-token-of-the-right-length-000'

async function recordsOf<T>(log: EmbeddedLog, topic: string): Promise<T[]> {
  const consumer = await log.consumer({ topics: [topic], from: { type: 'earliest' } })
  const records = await consumer.poll({ maxWaitMs: 50, maxRecords: 10_000 })
  await consumer.close()
  return records.map((r) => JSON.parse(r.value!.toString()) as T)
}

describe('the operator-action trail and failed-login limit of the console (real embedded log)', () => {
  let dataDir: string
  let log: EmbeddedLog
  let app: FastifyInstance
  let users: UserStore
  const tokens: Record<string, string> = {}
  const trailErrors: unknown[] = []

  async function open(topics = TOPICS): Promise<void> {
    await log.createTopics(topics)
    app = buildOperatorApi({
      log,
      token: TOKEN,
      users,
      currentState: () => [],
      health: () => ({ ready: true }),
      limitsConfirmTimeoutMs: 200,
      failedLogins: { max: 3, windowMs: 60_000 },
      onTrailError: (error) => trailErrors.push(error),
    })
  }

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-trail-'))
    log = await openEmbeddedLog({ dataDir })
    users = new UserStore(dataDir)
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator'], ['sue', 'supervisor']] as const) {
      tokens[name] = (await users.add(name, role)).token
    }
    tokens.console = TOKEN
    trailErrors.length = 0
  })
  afterEach(async () => {
    await app.close()
    await log.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
  const trail = () => recordsOf<OperatorActionRecord>(log, OPERATOR_ACTIONS)

  it('records every role × action once, allowed or refused with the role it needed, and an allowed one with its command', async () => {
    await open()
    const attempts = [
      ['POST', '/kill', { scope: 'ACCOUNT:1', reason: 'runaway' }, 'KILL'],
      ['POST', '/throttle', { scope: 'ACCOUNT:2', reason: 'slow', max_orders_per_sec: 5 }, 'THROTTLE'],
      ['POST', '/unkill', { scope: 'ACCOUNT:3', reason: 'fixed' }, 'UNKILL'],
      ['POST', '/limits', { scope: 'ACCOUNT:4', max_qty: 5, reason: 'tighter' }, 'SET_LIMITS'],
      ['POST', '/limits', { scope: 'ACCOUNT:5', max_qty: 50_000, reason: 'looser' }, 'SET_LIMITS'],
    ] as const
    // What each role may do, in the order of the attempts above.
    const allowed: Record<string, readonly boolean[]> = {
      vera: [false, false, false, false, false],
      otto: [true, true, false, true, false],
      sue: [true, true, true, true, true],
      console: [true, true, true, true, true],
    }
    const expected: Partial<OperatorActionRecord>[] = []
    for (const [name, rights] of Object.entries(allowed)) {
      for (const [i, [method, url, payload, action]] of attempts.entries()) {
        const response = await app.inject({ method, url, headers: bearer(tokens[name]!), payload })
        // The limits changes are not waited for here (no aggregator): sent is 202.
        expect(response.statusCode, `${name} ${action} ${url}`).toBe(rights[i] ? 202 : 403)
        expected.push({ actor: name, action, scope: payload.scope, outcome: rights[i] ? 'ALLOWED' : 'REFUSED', channel: 'console', from: '127.0.0.1' })
      }
    }
    const entries = await trail()
    expect(entries).toHaveLength(expected.length)
    const key = (e: Partial<OperatorActionRecord>) => `${e.actor} ${e.action} ${e.scope}`
    for (const want of expected) {
      const found = entries.filter((e) => key(e) === key(want))
      expect(found, key(want)).toHaveLength(1)
      expect(found[0]).toMatchObject(want)
      expect(found[0]!.role).toBe(want.actor === CONSOLE_OPERATOR ? 'supervisor' : { vera: 'viewer', otto: 'operator', sue: 'supervisor' }[want.actor!])
      if (want.outcome === 'REFUSED') expect(found[0]!.detail).toMatch(/needs the role (operator|supervisor)/)
    }
    // Each ALLOWED entry names the command that was published, and each command has its entry.
    const commands = await recordsOf<KillCommand>(log, KILL_COMMANDS)
    const allowedEntries = entries.filter((e) => e.outcome === 'ALLOWED')
    expect(allowedEntries.map((e) => e.cmd_id).sort()).toEqual(commands.map((c) => c.cmd_id).sort())
    for (const command of commands) {
      expect(allowedEntries.find((e) => e.cmd_id === command.cmd_id)).toMatchObject({ corr_id: command.corr_id, actor: command.operator, action: command.action })
    }
  })

  it('records failed logins with the user a token claimed to be, never its secret, and a forged operator as invalid', async () => {
    await open()
    const wrongSue = `rk1.sue.${'B'.repeat(43)}`
    expect((await app.inject({ method: 'POST', url: '/kill', payload: { scope: 'ACCOUNT:1', reason: 'x' } })).statusCode).toBe(401)
    expect((await app.inject({ method: 'GET', url: '/state', headers: bearer(wrongSue) })).statusCode).toBe(401)
    const forged = await app.inject({ method: 'POST', url: '/unkill', headers: bearer(tokens.sue!), payload: { scope: 'ACCOUNT:1', reason: 'x', operator: 'otto' } })
    expect(forged.statusCode).toBe(400)
    // An answered read is no action; the health probe is nobody's.
    expect((await app.inject({ method: 'GET', url: '/state', headers: bearer(tokens.vera!) })).statusCode).toBe(200)
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)

    const entries = await trail()
    expect(entries.map((e) => [e.actor, e.claimed, e.action, e.outcome, e.status])).toEqual([
      ['unauthenticated', undefined, 'KILL', 'UNAUTHENTICATED', 401],
      ['unauthenticated', 'sue', 'GET /state', 'UNAUTHENTICATED', 401],
      ['sue', undefined, 'UNKILL', 'INVALID', 400],
    ])
    expect(entries[2]!.detail).toContain('is not who the bearer token authenticates')
    const raw = JSON.stringify(entries)
    for (const secret of [TOKEN, wrongSue, tokens.sue!, tokens.vera!]) expect(raw).not.toContain(secret.slice(-43))
  })

  it('answers 429 after the limit of failed logins in one name, says so once on the trail, and locks out nobody else', async () => {
    await open()
    // sue's token was verified before the flood: it still passes during it.
    expect((await app.inject({ method: 'GET', url: '/state', headers: bearer(tokens.sue!) })).statusCode).toBe(200)
    const guess = (n: number) => app.inject({ method: 'POST', url: '/unkill', headers: bearer(`rk1.sue.${String(n).padStart(43, 'x')}`), payload: { scope: 'GLOBAL', reason: 'x' } })
    const statuses = []
    for (let n = 0; n < 6; n += 1) statuses.push((await guess(n)).statusCode)
    expect(statuses).toEqual([401, 401, 401, 429, 429, 429])
    const limited = await guess(99)
    expect(limited.statusCode).toBe(429)
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0)
    // Even sue's real but not yet seen token would wait: here it was seen, so it passes; otto and the admin are untouched.
    expect((await app.inject({ method: 'POST', url: '/kill', headers: bearer(tokens.sue!), payload: { scope: 'ACCOUNT:7', reason: 'x' } })).statusCode).toBe(202)
    expect((await app.inject({ method: 'POST', url: '/kill', headers: bearer(tokens.otto!), payload: { scope: 'ACCOUNT:8', reason: 'x' } })).statusCode).toBe(202)
    expect((await app.inject({ method: 'POST', url: '/kill', headers: bearer(TOKEN), payload: { scope: 'ACCOUNT:9', reason: 'x' } })).statusCode).toBe(202)

    const outcomes = (await trail()).map((e) => e.outcome)
    expect(outcomes.filter((o) => o === 'UNAUTHENTICATED')).toHaveLength(3)
    expect(outcomes.filter((o) => o === 'RATE_LIMITED')).toHaveLength(1)
    expect(outcomes.filter((o) => o === 'ALLOWED')).toHaveLength(3)
  })

  it('bounds failed logins from one address in ever new names too, and keeps an operator who was in', async () => {
    await open()
    expect((await app.inject({ method: 'GET', url: '/state', headers: bearer(tokens.otto!) })).statusCode).toBe(200)
    const statuses: number[] = []
    for (let n = 0; n < 40; n += 1) {
      statuses.push((await app.inject({ method: 'GET', url: '/state', headers: bearer(`rk1.u${n}.${'w'.repeat(43)}`) })).statusCode)
    }
    // Three a name, thirty an address: each name fails once, and the address is held at its thirtieth failure.
    expect(statuses.filter((status) => status === 401)).toHaveLength(30)
    expect(statuses.slice(30)).toEqual(Array(10).fill(429))
    expect((await trail()).filter((e) => e.outcome === 'UNAUTHENTICATED')).toHaveLength(30)
    // A user added meanwhile does not end otto's standing: his token still passes.
    await users.add('nina', 'viewer')
    expect((await app.inject({ method: 'GET', url: '/state', headers: bearer(tokens.otto!) })).statusCode).toBe(200)
  })

  it('keeps a client over the limit from a token it has not shown before', async () => {
    await open()
    for (let n = 0; n < 4; n += 1) {
      await app.inject({ method: 'GET', url: '/state', headers: bearer(`rk1.otto.${String(n).padStart(43, 'y')}`) })
    }
    // otto's real token, never seen by this console: the limit stands between it and a hash.
    expect((await app.inject({ method: 'GET', url: '/state', headers: bearer(tokens.otto!) })).statusCode).toBe(429)
  })

  it('on a log without the trail topic: a KILL still goes out, anything that loosens is refused, and a lost entry is reported', async () => {
    await open(TOPICS.filter((topic) => topic.name !== OPERATOR_ACTIONS))
    const kill = await app.inject({ method: 'POST', url: '/kill', headers: bearer(tokens.otto!), payload: { scope: 'ACCOUNT:1', reason: 'runaway' } })
    expect(kill.statusCode).toBe(202)
    const unkill = await app.inject({ method: 'POST', url: '/unkill', headers: bearer(tokens.sue!), payload: { scope: 'ACCOUNT:1', reason: 'fixed' } })
    expect(unkill.statusCode).toBe(409)
    expect(unkill.json<{ error: string }>().error).toContain('operator_actions.v1 does not exist')
    expect((await recordsOf<KillCommand>(log, KILL_COMMANDS)).map((c) => c.action)).toEqual(['KILL'])
    // The KILL's entry and the UNKILL's refusal could not be written: both said, neither silent.
    expect(trailErrors.length).toBe(2)
  })

  it('riskctl audit --actions reads the trail newest first and finds a person by any identity of theirs', async () => {
    await open()
    await app.inject({ method: 'POST', url: '/kill', headers: bearer(tokens.otto!), payload: { scope: 'ACCOUNT:1', reason: 'runaway' } })
    await app.inject({ method: 'GET', url: '/state', headers: bearer(`rk1.otto.${'z'.repeat(43)}`) })
    await app.inject({ method: 'POST', url: '/unkill', headers: bearer(tokens.vera!), payload: { scope: 'ACCOUNT:1', reason: 'x' } })
    const all = await queryActions(log, { limit: 50 })
    expect(all.unreadable).toBe(0)
    expect(all.actions.map((a) => a.outcome)).toEqual(['REFUSED', 'UNAUTHENTICATED', 'ALLOWED'])
    const otto = await queryActions(log, { actor: 'OTTO', limit: 50 })
    expect(otto.actions.map((a) => a.outcome)).toEqual(['UNAUTHENTICATED', 'ALLOWED'])
    expect((await queryActions(log, { limit: 1 })).actions).toHaveLength(1)
    // A damaged record is counted, never hidden.
    await log.produce(OPERATOR_ACTIONS, [{ key: 'x', value: Buffer.from('{"truncated":') }])
    expect((await queryActions(log, { limit: 50 })).unreadable).toBe(1)
  })
})

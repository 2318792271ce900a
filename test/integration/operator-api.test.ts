import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildOperatorApi, BODY_LIMIT_BYTES, CONSOLE_OPERATOR } from '../../src/processors/operator-api.js'
import { readOperatorToken, resolveOperatorToken, tokenMatches } from '../../src/config/operator-token.js'
import { UserStore } from '../../src/config/user-store.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { AUDIT, KILL_COMMANDS, TOPICS } from '../../topologies/topics.js'
import { RiskctlError } from '../../src/errors.js'
import { createAggregator } from '../../src/processors/aggregator.js'
import { encode } from '../../src/processors/topic-codec.js'
import { queryAudit } from '../../src/services/audit.js'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { LimitsRecord } from '../../src/domain/pretrade/limits-command.js'

const TOKEN = 's3cret-token-value'

/** Every command on killswitch.commands.v1, in order. */
async function commandsOn(log: EmbeddedLog): Promise<KillCommand[]> {
  const consumer = await log.consumer({ topics: [KILL_COMMANDS], from: { type: 'earliest' } })
  const records = await consumer.poll({ maxWaitMs: 50 })
  await consumer.close()
  return records.map((r) => JSON.parse(r.value!.toString()) as KillCommand)
}

describe('operator console (fastify, real embedded log)', () => {
  let dataDir: string
  let log: EmbeddedLog
  let app: FastifyInstance

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-api-'))
    log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    app = buildOperatorApi({ log, token: TOKEN, currentState: () => [], health: () => ({ ready: true }) })
  })
  afterEach(async () => {
    await app.close()
    await log.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const auth = { authorization: `Bearer ${TOKEN}` }

  const publishedCommands = () => commandsOn(log)

  it('serves /health without a token and nothing else', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200)
    const state = await app.inject({ method: 'GET', url: '/state' })
    expect(state.statusCode).toBe(401)
    const kill = await app.inject({ method: 'POST', url: '/kill', payload: { scope: 'GLOBAL', reason: 'x' } })
    expect(kill.statusCode).toBe(401)
    const wrong = await app.inject({
      method: 'POST',
      url: '/kill',
      headers: { authorization: 'Bearer nope' },
      payload: { scope: 'GLOBAL', reason: 'x' },
    })
    expect(wrong.statusCode).toBe(401)
    expect(wrong.body).not.toContain(TOKEN)
    expect(await publishedCommands()).toEqual([])
  })

  it('answers 503 with Retry-After, never an empty state, while the router that holds the state restarts', async () => {
    const starting = buildOperatorApi({
      log,
      token: TOKEN,
      currentState: () => Promise.reject(new RiskctlError('The router is starting; its kill state is not loaded yet.', { code: 'RISKCTL_PROCESSOR_STARTING', retriable: true })),
      health: () => ({ ready: false }),
    })
    try {
      const state = await starting.inject({ method: 'GET', url: '/state', headers: auth })
      expect(state.statusCode).toBe(503)
      expect(state.headers['retry-after']).toBe('1')
      expect(state.json()).toEqual({ error: 'The router is starting; its kill state is not loaded yet.' })
    } finally {
      await starting.close()
    }
  })

  it('publishes one command as the identity the token authenticates, and answers its ids; another operator in the body is 400', async () => {
    const refused = await app.inject({
      method: 'POST',
      url: '/kill',
      headers: auth,
      payload: { scope: 'account:12345', reason: 'runaway', operator: 'alice' },
    })
    expect(refused.statusCode).toBe(400)
    expect(refused.json<{ error: string }>().error).toContain('not who the bearer token authenticates (console)')
    expect(await publishedCommands()).toEqual([])
    const response = await app.inject({
      method: 'POST',
      url: '/kill',
      headers: auth,
      payload: { scope: 'account:12345', reason: 'runaway' },
    })
    expect(response.statusCode).toBe(202)
    const body = response.json<{ cmd_id: string; corr_id: string; command: KillCommand }>()
    expect(body.command).toMatchObject({ scope: 'ACCOUNT:12345', action: 'KILL', operator: CONSOLE_OPERATOR, triggered_by: 'operator' })
    const published = await publishedCommands()
    expect(published).toHaveLength(1)
    expect(published[0]).toMatchObject({ cmd_id: body.cmd_id, corr_id: body.corr_id })
  })

  it('answers 400 with what is wrong: bad JSON, bad scope with the valid forms, missing reason, throttle cap', async () => {
    const badJson = await app.inject({
      method: 'POST',
      url: '/kill',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: '{"scope": ',
    })
    expect(badJson.statusCode).toBe(400)
    const badScope = await app.inject({ method: 'POST', url: '/kill', headers: auth, payload: { scope: 'DESK:1', reason: 'x' } })
    expect(badScope.statusCode).toBe(400)
    expect(badScope.body).toContain('ACCOUNT:<id>')
    const noReason = await app.inject({ method: 'POST', url: '/unkill', headers: auth, payload: { scope: 'GLOBAL' } })
    expect(noReason.statusCode).toBe(400)
    expect(noReason.body).toContain('reason')
    const noCap = await app.inject({ method: 'POST', url: '/throttle', headers: auth, payload: { scope: 'GLOBAL', reason: 'x' } })
    expect(noCap.statusCode).toBe(400)
    expect(noCap.body).toContain('max_orders_per_sec')
    expect(await publishedCommands()).toEqual([])
  })

  it('answers 413 for a body over 64 KiB', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/kill',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: JSON.stringify({ scope: 'GLOBAL', reason: 'x'.repeat(BODY_LIMIT_BYTES + 1) }),
    })
    expect(response.statusCode).toBe(413)
  })
})

describe('operator console: limits and audit (real HTTP server on 127.0.0.1, embedded log)', () => {
  let dataDir: string
  let log: EmbeddedLog
  let app: FastifyInstance
  let base: string
  const headers = { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-api-limits-'))
    log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    app = buildOperatorApi({
      log,
      token: TOKEN,
      currentState: () => [],
      health: () => ({ ready: true }),
      audit: (query) => queryAudit(log, dataDir, query),
      limitsConfirmTimeoutMs: 1500,
    })
    base = await app.listen({ port: 0, host: '127.0.0.1' })
  })
  afterEach(async () => {
    await app.close()
    await log.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  async function call(method: string, url: string, body?: unknown, auth = true): Promise<{ status: number; json: Record<string, unknown> }> {
    const response = await fetch(`${base}${url}`, {
      method,
      headers: auth ? headers : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: response.status, json: (await response.json()) as Record<string, unknown> }
  }

  const commandsOnLog = () => commandsOn(log)

  it('answers 401 without the bearer token on every new route, and publishes nothing', async () => {
    expect((await call('GET', '/limits', undefined, false)).status).toBe(401)
    expect((await call('POST', '/limits', { scope: 'GLOBAL', max_qty: 10, reason: 'x' }, false)).status).toBe(401)
    expect((await call('GET', '/audit', undefined, false)).status).toBe(401)
    expect(await commandsOnLog()).toEqual([])
  })

  it('applies a POST /limits through a running aggregator, as the authenticated operator, and GET /limits shows it', async () => {
    const controller = new AbortController()
    const aggregator = createAggregator(log)
    const run = aggregator.run(controller.signal)
    try {
      const posted = await call('POST', '/limits', { scope: 'account:12345', max_qty: 500, restrict: ['TSLA'], reason: 'new client' })
      expect(posted.status).toBe(200)
      expect(posted.json).toMatchObject({ outcome: 'confirmed', command: { action: 'SET_LIMITS', scope: 'ACCOUNT:12345', triggered_by: 'operator', operator: CONSOLE_OPERATOR } })
      const shown = await call('GET', '/limits?scope=ACCOUNT:12345')
      expect(shown.status).toBe(200)
      const records = shown.json.limits as LimitsRecord[]
      expect(records).toHaveLength(1)
      expect(records[0]).toMatchObject({ scope: 'ACCOUNT:12345', updated_by: CONSOLE_OPERATOR, limits: { max_order_qty: 500, restricted_symbols: ['TSLA'] } })
      expect(records[0]?.last_cmd_id).toBe(posted.json.cmd_id)
      expect(((await call('GET', '/limits')).json.limits as LimitsRecord[]).map((r) => r.scope)).toEqual(['ACCOUNT:12345'])
      expect((await call('GET', '/limits?scope=SYMBOL:X')).status).toBe(400)
    } finally {
      controller.abort()
      await run
    }
  })

  it('answers 202 with the command when no aggregator shows it applied in time: it was sent, nothing enforces it yet', async () => {
    const posted = await call('POST', '/limits', { scope: 'GLOBAL', max_notional: 250000, reason: 'tighten' })
    expect(posted.status).toBe(202)
    expect(posted.json).toMatchObject({ outcome: 'published', command: { scope: 'GLOBAL', operator: CONSOLE_OPERATOR } })
    expect(String(posted.json.error)).toContain('did not show it')
    expect(await commandsOnLog()).toHaveLength(1)
  })

  it('refuses with 400 a body that names who acted, an unknown field, a negative value, SYMBOL:X, no reason', async () => {
    const cases: [unknown, string][] = [
      [{ scope: 'GLOBAL', max_qty: 10, reason: 'x', operator: 'mallory' }, 'operator'],
      [{ scope: 'GLOBAL', max_qty: 10, reason: 'x', triggered_by: 'operator' }, 'triggered_by'],
      [{ scope: 'GLOBAL', max_qty: 10, reason: 'x', colour: 'red' }, 'colour'],
      [{ scope: 'GLOBAL', max_qty: -5, reason: 'x' }, 'max_qty takes a whole number above 0'],
      [{ scope: 'GLOBAL', credit: -1, reason: 'x' }, 'credit takes a number of 0 or more'],
      [{ scope: 'GLOBAL', max_qty: '10', reason: 'x' }, 'max_qty'],
      [{ scope: 'SYMBOL:X', max_qty: 10, reason: 'x' }, 'GLOBAL | ACCOUNT:<id>'],
      [{ scope: 'GLOBAL', max_qty: 10 }, 'reason'],
      [{ scope: 'GLOBAL', max_qty: 10, reason: '   ' }, 'reason'],
      [{ scope: 'GLOBAL', reason: 'nothing' }, 'Nothing to change'],
      [{ scope: 'GLOBAL', max_qty: 10, reason: 'x', expires: 'soon' }, 'span of time'],
    ]
    for (const [body, says] of cases) {
      const response = await call('POST', '/limits', body)
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(JSON.stringify(response.json), JSON.stringify(body)).toContain(says)
    }
    expect(await commandsOnLog()).toEqual([])
  })

  it('answers GET /audit from the audit index with the filters of riskctl audit, and 400 for a bad one', async () => {
    const audit = (order: string, check: AuditRecord['check'], decision: AuditRecord['decision']): AuditRecord => ({
      ts: Date.now(),
      decision,
      order_id: order,
      account_id: '12345',
      symbol: 'AAPL',
      strategy: 's',
      scope_matches: ['GLOBAL', 'ACCOUNT:12345'],
      killswitch_status: 'ACTIVE',
      reason: check === null ? 'allowed' : `dropped by ${check}`,
      corr_id: 'c-1',
      check,
      service: 'router',
    })
    await log.produce(AUDIT, [
      encode(AUDIT, audit('o-1', 'MAX_ORDER_QTY', 'DROP')),
      encode(AUDIT, audit('o-2', null, 'ALLOW')),
      encode(AUDIT, audit('o-3', 'CREDIT_LIMIT', 'DROP')),
    ])
    const byCheck = await call('GET', '/audit?check=MAX_ORDER_QTY')
    expect(byCheck.status).toBe(200)
    expect((byCheck.json.records as AuditRecord[]).map((r) => r.order_id)).toEqual(['o-1'])
    const drops = await call('GET', '/audit?decision=DROP&account=12345&since=10m&limit=5')
    expect((drops.json.records as AuditRecord[]).map((r) => r.order_id).sort()).toEqual(['o-1', 'o-3'])
    for (const [query, says] of [
      ['check=FAST_ORDERS', 'MAX_ORDER_QTY'],
      ['decision=MAYBE', 'ALLOW'],
      ['since=yesterday', 'since'],
      ['limit=0', 'limit'],
      ['limit=ten', 'limit'],
      ['colour=red', 'colour'],
    ] as const) {
      const response = await call('GET', `/audit?${query}`)
      expect(response.status, query).toBe(400)
      expect(String(response.json.error), query).toContain(says)
    }
  })
})

describe('operator token', () => {
  it('generates one 0600 token file in the data dir and reuses it; the environment wins', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-token-'))
    const first = resolveOperatorToken(dataDir, undefined)
    expect(first.source).toMatchObject({ type: 'file', created: true })
    const file = path.join(dataDir, 'operator-token')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(resolveOperatorToken(dataDir, undefined).value).toBe(first.value)
    const strong = 'from-env-and-long-enough-to-be-taken-000'
    expect(resolveOperatorToken(dataDir, strong)).toEqual({ value: strong, source: { type: 'env' } })
    expect(first.value.length).toBeGreaterThanOrEqual(40)
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('refuses a token shorter than 32 characters, and a token file others may read', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-token-'))
    try {
      expect(() => resolveOperatorToken(dataDir, 'x'.repeat(31))).toThrow(expect.objectContaining({ code: 'RISKCTL_TOKEN_WEAK', exitCode: 2 }))
      expect(resolveOperatorToken(dataDir, 'x'.repeat(32)).value).toHaveLength(32)
      const file = path.join(dataDir, 'operator-token')
      fs.writeFileSync(file, 'short\n', { mode: 0o600 })
      expect(() => resolveOperatorToken(dataDir, undefined)).toThrow(expect.objectContaining({ code: 'RISKCTL_TOKEN_WEAK' }))
      fs.writeFileSync(file, `${'y'.repeat(43)}\n`)
      for (const mode of [0o640, 0o604, 0o644]) {
        fs.chmodSync(file, mode)
        const refusal = expect.objectContaining({ code: 'RISKCTL_SECRET_FILE_EXPOSED', exitCode: 4 })
        expect(() => resolveOperatorToken(dataDir, undefined)).toThrow(refusal)
        // A client reading it (riskctl kill --api) refuses it too, and never prints it.
        expect(() => readOperatorToken(dataDir, undefined)).toThrow(refusal)
        try {
          readOperatorToken(dataDir, undefined)
        } catch (error) {
          expect(String(error)).not.toContain('y'.repeat(43))
        }
      }
      fs.chmodSync(file, 0o600)
      expect(resolveOperatorToken(dataDir, undefined).value).toBe('y'.repeat(43))
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true })
    }
  })

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abc', 'abcd')).toBe(false)
    expect(tokenMatches('abc', '')).toBe(false)
  })
})

describe('operator console: named users and their roles (real embedded log, real aggregator)', () => {
  let dataDir: string
  let log: EmbeddedLog
  let app: FastifyInstance
  let users: UserStore
  const tokens: Record<string, string> = {}

  beforeEach(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-api-users-'))
    log = await openEmbeddedLog({ dataDir })
    await log.createTopics(TOPICS)
    users = new UserStore(dataDir)
    for (const [name, role] of [['vera', 'viewer'], ['otto', 'operator'], ['sue', 'supervisor']] as const) {
      tokens[name] = (await users.add(name, role)).token
    }
    app = buildOperatorApi({ log, token: TOKEN, users, currentState: () => [], health: () => ({ ready: true }), limitsConfirmTimeoutMs: 3000 })
  })
  afterEach(async () => {
    await app.close()
    await log.close()
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  const as = (name: string) => ({ authorization: `Bearer ${tokens[name]}` })
  const commands = () => commandsOn(log)

  it('records the user a personal token authenticates as the operator, and refuses a body that names another', async () => {
    const killed = await app.inject({ method: 'POST', url: '/kill', headers: as('otto'), payload: { scope: 'ACCOUNT:1', reason: 'runaway' } })
    expect(killed.statusCode).toBe(202)
    const spoofed = await app.inject({ method: 'POST', url: '/kill', headers: as('otto'), payload: { scope: 'ACCOUNT:2', reason: 'x', operator: 'sue' } })
    expect(spoofed.statusCode).toBe(400)
    const same = await app.inject({ method: 'POST', url: '/kill', headers: as('otto'), payload: { scope: 'ACCOUNT:3', reason: 'x', operator: 'otto' } })
    expect(same.statusCode).toBe(202)
    expect((await commands()).map((c) => [c.scope, c.operator])).toEqual([
      ['ACCOUNT:1', 'otto'],
      ['ACCOUNT:3', 'otto'],
    ])
  })

  it('answers 403 with the role needed: a viewer only reads, an operator may not unkill, a supervisor may', async () => {
    expect((await app.inject({ method: 'GET', url: '/state', headers: as('vera') })).statusCode).toBe(200)
    const viewerKill = await app.inject({ method: 'POST', url: '/kill', headers: as('vera'), payload: { scope: 'ACCOUNT:1', reason: 'x' } })
    expect(viewerKill.statusCode).toBe(403)
    expect(viewerKill.json()).toMatchObject({ needed_role: 'operator', role: 'viewer' })
    expect((await app.inject({ method: 'POST', url: '/throttle', headers: as('vera'), payload: { scope: 'ACCOUNT:1', reason: 'x', max_orders_per_sec: 1 } })).statusCode).toBe(403)
    const operatorUnkill = await app.inject({ method: 'POST', url: '/unkill', headers: as('otto'), payload: { scope: 'ACCOUNT:1', reason: 'x' } })
    expect(operatorUnkill.statusCode).toBe(403)
    expect(operatorUnkill.json<{ error: string }>().error).toBe('UNKILL needs the role supervisor; otto is operator')
    expect((await app.inject({ method: 'POST', url: '/unkill', headers: as('sue'), payload: { scope: 'ACCOUNT:1', reason: 'x' } })).statusCode).toBe(202)
    expect((await commands()).map((c) => [c.action, c.operator])).toEqual([['UNKILL', 'sue']])
  })

  it('lets an operator tighten limits, and keeps loosening for a supervisor', async () => {
    const controller = new AbortController()
    const aggregator = createAggregator(log)
    const run = aggregator.run(controller.signal)
    try {
      const post = (name: string, body: object) => app.inject({ method: 'POST', url: '/limits', headers: as(name), payload: body })
      expect((await post('vera', { scope: 'ACCOUNT:9', max_qty: 100, reason: 'x' })).statusCode).toBe(403)
      expect((await post('otto', { scope: 'ACCOUNT:9', max_qty: 100, restrict: ['GME'], reason: 'start small' })).statusCode).toBe(200)
      expect((await post('otto', { scope: 'ACCOUNT:9', max_qty: 50, reason: 'smaller' })).statusCode).toBe(200)
      for (const loosening of [{ max_qty: 500 }, { unrestrict: ['GME'] }, { allow_without_reference: true }]) {
        const refused = await post('otto', { scope: 'ACCOUNT:9', reason: 'more', ...loosening })
        expect(refused.statusCode, JSON.stringify(loosening)).toBe(403)
        expect(refused.json(), JSON.stringify(loosening)).toMatchObject({ needed_role: 'supervisor' })
      }
      expect((await post('sue', { scope: 'ACCOUNT:9', max_qty: 500, reason: 'approved' })).statusCode).toBe(200)
      const sent = (await commands()).map((c) => [c.operator, (c as unknown as { limits?: { max_order_qty?: number } }).limits?.max_order_qty])
      expect(sent).toEqual([
        ['otto', 100],
        ['otto', 50],
        ['sue', 500],
      ])
    } finally {
      controller.abort()
      await run
    }
  })

  it('keeps for a supervisor a THROTTLE that would loosen: over a KILL, or to a higher cap', async () => {
    const states: KillState[] = []
    const withState = buildOperatorApi({ log, token: TOKEN, users, currentState: () => states, health: () => ({ ready: true }) })
    try {
      const throttle = (name: string, scope: string, cap: number) =>
        withState.inject({ method: 'POST', url: '/throttle', headers: as(name), payload: { scope, reason: 'x', max_orders_per_sec: cap } })
      states.push(
        { scope: 'GLOBAL', status: 'KILLED', updated_ts: 1, updated_by: 'sue', reason: 'halt', last_cmd_id: 'c1', corr_id: 'k1' },
        { scope: 'ACCOUNT:5', status: 'THROTTLED', updated_ts: 1, updated_by: 'sue', reason: 'slow', last_cmd_id: 'c2', corr_id: 'k2', max_orders_per_sec: 10 },
      )
      expect((await throttle('otto', 'global', 1_000_000)).json()).toMatchObject({ needed_role: 'supervisor' })
      expect((await throttle('otto', 'ACCOUNT:5', 11)).statusCode).toBe(403)
      expect((await throttle('otto', 'ACCOUNT:5', 5)).statusCode).toBe(202)
      expect((await throttle('otto', 'ACCOUNT:6', 5)).statusCode).toBe(202)
      expect((await throttle('sue', 'GLOBAL', 100)).statusCode).toBe(202)
      expect((await commands()).map((c) => [c.scope, c.operator, c.max_orders_per_sec])).toEqual([
        ['ACCOUNT:5', 'otto', 5],
        ['ACCOUNT:6', 'otto', 5],
        ['GLOBAL', 'sue', 100],
      ])
    } finally {
      await withState.close()
    }
  })

  it("judges an operator's limits by what the orders are held to: a first record, the firm's, a temporary change", async () => {
    const controller = new AbortController()
    const aggregator = createAggregator(log)
    const run = aggregator.run(controller.signal)
    try {
      const post = (name: string, body: object) => app.inject({ method: 'POST', url: '/limits', headers: as(name), payload: body })
      // The shipped defaults hold every account to 10,000 a order: a first record may not raise it, nor may the firm's.
      expect((await post('otto', { scope: 'ACCOUNT:7', max_qty: 10_000_000, reason: 'x' })).statusCode).toBe(403)
      expect((await post('otto', { scope: 'GLOBAL', max_notional: 1e12, reason: 'x' })).statusCode).toBe(403)
      expect((await post('otto', { scope: 'ACCOUNT:7', max_qty: 500, reason: 'x' })).statusCode).toBe(200)
      // A supervisor's temporary raise: an operator may neither extend it nor change what it reverts to, looser.
      expect((await post('sue', { scope: 'ACCOUNT:8', max_qty: 100, restrict: ['GME'], reason: 'base' })).statusCode).toBe(200)
      expect((await post('sue', { scope: 'ACCOUNT:8', max_qty: 1000, unrestrict: ['GME'], expires: '1m', reason: 'block trade' })).statusCode).toBe(200)
      expect((await post('otto', { scope: 'ACCOUNT:8', max_qty: 900, unrestrict: ['GME'], reason: 'x' })).statusCode).toBe(403)
      expect((await post('otto', { scope: 'ACCOUNT:8', max_qty: 999, expires: '30d', reason: 'x' })).statusCode).toBe(403)
      expect((await post('otto', { scope: 'ACCOUNT:8', max_qty: 50, reason: 'tighter than both' })).statusCode).toBe(200)
    } finally {
      controller.abort()
      await run
    }
  })

  it('stops taking a token once it is rotated or its user removed; the bootstrap token stays the admin', async () => {
    const old = tokens.otto!
    const rotated = (await users.rotate('otto')).token
    const kill = (token: string) =>
      app.inject({ method: 'POST', url: '/kill', headers: { authorization: `Bearer ${token}` }, payload: { scope: 'ACCOUNT:1', reason: 'x' } })
    expect((await kill(old)).statusCode).toBe(401)
    expect((await kill(rotated)).statusCode).toBe(202)
    await users.remove('otto')
    expect((await kill(rotated)).statusCode).toBe(401)
    // A token of the right shape for a user that never was, and a forged secret for one that is.
    expect((await kill(`rk1.mallory.${'A'.repeat(43)}`)).statusCode).toBe(401)
    expect((await kill(`${tokens.sue!.slice(0, -4)}AAAA`)).statusCode).toBe(401)
    expect((await kill(`${tokens.sue!}${'A'.repeat(100_000)}`)).statusCode).toBe(401)
    expect((await kill(TOKEN)).json<{ command: KillCommand }>().command.operator).toBe(CONSOLE_OPERATOR)
  })
})

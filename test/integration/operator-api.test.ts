import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { FastifyInstance } from 'fastify'
import { buildOperatorApi, BODY_LIMIT_BYTES } from '../../src/processors/operator-api.js'
import { resolveOperatorToken, tokenMatches } from '../../src/config/operator-token.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import { openEmbeddedLog, type EmbeddedLog } from '../../src/log/embedded/embedded-log.js'
import { KILL_COMMANDS, TOPICS } from '../../topologies/topics.js'
import { RiskctlError } from '../../src/errors.js'

const TOKEN = 's3cret-token-value'

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

  async function publishedCommands(): Promise<KillCommand[]> {
    const consumer = await log.consumer({ topics: [KILL_COMMANDS], from: { type: 'earliest' } })
    const records = await consumer.poll({ maxWaitMs: 50 })
    await consumer.close()
    return records.map((r) => JSON.parse(r.value!.toString()) as KillCommand)
  }

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

  it('publishes one command with the operator identity and answers its ids', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/kill',
      headers: auth,
      payload: { scope: 'account:12345', reason: 'runaway', operator: 'alice' },
    })
    expect(response.statusCode).toBe(202)
    const body = response.json<{ cmd_id: string; corr_id: string; command: KillCommand }>()
    expect(body.command).toMatchObject({ scope: 'ACCOUNT:12345', action: 'KILL', operator: 'alice', triggered_by: 'operator' })
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

describe('operator token', () => {
  it('generates one 0600 token file in the data dir and reuses it; the environment wins', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'riskctl-token-'))
    const first = resolveOperatorToken(dataDir, undefined)
    expect(first.source).toMatchObject({ type: 'file', created: true })
    const file = path.join(dataDir, 'operator-token')
    expect(fs.statSync(file).mode & 0o777).toBe(0o600)
    expect(resolveOperatorToken(dataDir, undefined).value).toBe(first.value)
    expect(resolveOperatorToken(dataDir, 'from-env')).toEqual({ value: 'from-env', source: { type: 'env' } })
    expect(first.value.length).toBeGreaterThanOrEqual(40)
    fs.rmSync(dataDir, { recursive: true, force: true })
  })

  it('compares tokens exactly', () => {
    expect(tokenMatches('abc', 'abc')).toBe(true)
    expect(tokenMatches('abc', 'abcd')).toBe(false)
    expect(tokenMatches('abc', '')).toBe(false)
  })
})

import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { isRiskctlError } from '../../../src/errors.js'
import { setLimitsViaConsole } from '../../../src/services/limits-client.js'
import { consoleClient } from '../../../src/services/operator-client.js'

/** A console that answers each request with `answer` after `delayMs`, and keeps what it was sent. */
async function fakeConsole(answer: { status: number; body: unknown }, delayMs = 0) {
  const bodies: unknown[] = []
  const server = http.createServer((request, response) => {
    let text = ''
    request.on('data', (chunk: Buffer) => (text += chunk.toString()))
    request.on('end', () => {
      bodies.push(text === '' ? undefined : JSON.parse(text))
      setTimeout(() => {
        response.writeHead(answer.status, { 'content-type': 'application/json' })
        response.end(JSON.stringify(answer.body))
      }, delayMs)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  servers.push(server)
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies }
}

const servers: http.Server[] = []
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections()
    await new Promise((resolve) => server.close(resolve))
  }
})

async function failure(promise: Promise<unknown>): Promise<{ code: string; exitCode: number; retriable: boolean }> {
  try {
    await promise
  } catch (error) {
    if (isRiskctlError(error)) return { code: error.code, exitCode: error.exitCode, retriable: error.retriable }
    throw error
  }
  throw new Error('expected a failure')
}

describe('the operator console client', () => {
  it('a POST sent and not answered in time may have been carried out: exit 1, not a retriable "unreachable"', async () => {
    const slow = await fakeConsole({ status: 202, body: {} }, 1500)
    const client = consoleClient(slow.url, 't', 200)
    expect(await failure(client.post('/limits', {}, z.object({})))).toEqual({ code: 'RISKCTL_API_NO_ANSWER', exitCode: 1, retriable: false })
    expect(slow.bodies).toHaveLength(1)
    // A read that is not answered changed nothing: that one may be retried.
    expect(await failure(client.get('/limits', z.object({})))).toMatchObject({ code: 'RISKCTL_API_UNREACHABLE', exitCode: 3, retriable: true })
  })

  it('maps the console\'s answers to POST /limits: refused is exit 5, bad input exit 2, a wrong token exit 4', async () => {
    const input = { scope: 'ACCOUNT:1', maxQty: '5', reason: 'test', operator: 'console' }
    const cases: [number, unknown, string, number][] = [
      [409, { outcome: 'refused', error: 'the detector may not loosen' }, 'RISKCTL_COMMAND_REFUSED', 5],
      [400, { error: 'max_qty takes a whole number above 0' }, 'RISKCTL_API_ERROR', 2],
      [401, { error: 'unauthorised' }, 'RISKCTL_UNAUTHORISED', 4],
    ]
    for (const [status, body, code, exitCode] of cases) {
      const console_ = await fakeConsole({ status, body })
      expect(await failure(setLimitsViaConsole(input, { apiUrl: console_.url, token: 't', wait: true })), String(status)).toMatchObject({ code, exitCode })
      // What it sent: the checked values in the console's field names, and never an operator.
      expect(console_.bodies).toEqual([{ scope: 'ACCOUNT:1', max_qty: 5, reason: 'test' }])
    }
  })

  it('a change published but not shown applied in time is RISKCTL_NOT_CONFIRMED (exit 1) when waiting, published when not', async () => {
    const command = {
      cmd_id: 'c1', ts: 1, scope: 'ACCOUNT:1', action: 'SET_LIMITS', limits: { max_order_qty: 5 }, reason: 'test', triggered_by: 'operator', operator: 'console', corr_id: 'k1',
    }
    const console_ = await fakeConsole({ status: 202, body: { outcome: 'published', error: 'not shown within 10 s', cmd_id: 'c1', corr_id: 'k1', command } })
    const input = { scope: 'ACCOUNT:1', maxQty: '5', reason: 'test', operator: 'console' }
    expect(await failure(setLimitsViaConsole(input, { apiUrl: console_.url, token: 't', wait: true }))).toMatchObject({ code: 'RISKCTL_NOT_CONFIRMED', exitCode: 1 })
    expect(await setLimitsViaConsole(input, { apiUrl: console_.url, token: 't', wait: false })).toMatchObject({ outcome: 'published', command: { cmd_id: 'c1' } })
  })
})

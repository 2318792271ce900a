import { describe, expect, it } from 'vitest'
import { RiskctlError } from '../../../src/errors.js'
import { LogError } from '../../../src/log/errors.js'
import { isTransient, newConnectivity } from '../../../src/processors/connectivity.js'

describe('newConnectivity', () => {
  it('starts connecting, with no error and no reconnects', () => {
    expect(newConnectivity()).toEqual({ state: 'connecting', lastError: undefined, reconnects: 0 })
  })

  it('gives every processor a status of its own', () => {
    const first = newConnectivity()
    first.reconnects += 1
    expect(newConnectivity().reconnects).toBe(0)
  })
})

describe('isTransient', () => {
  it('retries what the log marks retriable, whatever its code', () => {
    expect(isTransient(new LogError('RISKCTL_LOG_FAILURE', 'rebalancing', { retriable: true }))).toBe(true)
    expect(isTransient(new LogError('RISKCTL_GROUP_BUSY', 'fenced', { retriable: true }))).toBe(true)
    expect(isTransient(new RiskctlError('later', { code: 'RISKCTL_SOMETHING', retriable: true }))).toBe(true)
  })

  it('retries a broker that is away and a log file that is locked, even when not marked retriable', () => {
    expect(isTransient(new LogError('RISKCTL_BROKER_UNREACHABLE', 'no answer'))).toBe(true)
    expect(isTransient(new LogError('RISKCTL_LOG_BUSY', 'locked'))).toBe(true)
  })

  it('reports any other riskctl failure instead of retrying it forever', () => {
    expect(isTransient(new LogError('RISKCTL_TOPIC_NOT_FOUND', 'no topic'))).toBe(false)
    expect(isTransient(new LogError('RISKCTL_GROUP_BUSY', 'second instance'))).toBe(false)
    expect(isTransient(new LogError('RISKCTL_LOG_FAILURE', 'bug'))).toBe(false)
  })

  it('does not trust what merely looks like a retriable riskctl error', () => {
    const lookalike = Object.assign(new Error('no'), { code: 'RISKCTL_BROKER_UNREACHABLE', retriable: true })
    expect(isTransient(lookalike)).toBe(false)
    expect(isTransient(new Error('RISKCTL_BROKER_UNREACHABLE'))).toBe(false)
    expect(isTransient('RISKCTL_LOG_BUSY')).toBe(false)
    expect(isTransient(undefined)).toBe(false)
  })
})

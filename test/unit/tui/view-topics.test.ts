import { describe, expect, it } from 'vitest'
import { isRiskctlError } from '../../../src/errors.js'
import { DEFAULT_VIEW_TOPICS, parseViewTopics, topicsToRead } from '../../../src/tui/view-topics.js'

describe('view topics', () => {
  it('defaults to the five topics of the demo', () => {
    expect(parseViewTopics(undefined)).toEqual([
      'orders.v1',
      'risk_signals.v1',
      'killswitch.commands.v1',
      'killswitch.state.v1',
      'audit.v1',
    ])
  })

  it('reads --topics as a comma-separated list, each once', () => {
    expect(parseViewTopics(' orders.gated.v1, dlq.v1,dlq.v1 ')).toEqual(['orders.gated.v1', 'dlq.v1'])
  })

  it('fails with exit 2 and the valid names for an unknown topic', () => {
    try {
      parseViewTopics('orders.v1,orders')
      expect.unreachable()
    } catch (error) {
      expect(isRiskctlError(error) && error.exitCode).toBe(2)
      expect(isRiskctlError(error) && error.suggestions.join()).toContain('orders.v1, risk_signals.v1')
    }
    expect(() => parseViewTopics(' , ')).toThrow(/names no topic/)
  })

  it('always reads the state, audit and risk signal topics, which the header needs', () => {
    expect(topicsToRead(['dlq.v1'])).toEqual(['dlq.v1', 'killswitch.state.v1', 'audit.v1', 'risk_signals.v1'])
    expect(topicsToRead(DEFAULT_VIEW_TOPICS)).toHaveLength(5)
  })
})

import { Chalk } from 'chalk'
import { describe, expect, it } from 'vitest'
import { compactParts, compactText, styleCompactLine } from '../../../src/tui/compact-line.js'
import { prefixedLine } from '../../../src/tui/plain-line.js'
import { targetScope } from '../../../src/tui/target-scope.js'
import { audit, command, creditWarning, order, state, tailRecord, tombstone } from './records.js'

const plain = new Chalk({ level: 0 })
const colored = new Chalk({ level: 1 })

describe('compact line', () => {
  it('says when, what and about whom for each kind of record', () => {
    expect(compactText(order('12345'))).toBe('09:30:00 12345 BUY 100 AAPL @189.5')
    expect(compactText(audit('DROP'))).toBe('09:30:00 DROP 12345 AAPL Kill switch active for ACCOUNT:12345')
    expect(compactText(state('ACCOUNT:12345', 'KILLED'))).toBe('09:30:00 KILLED ACCOUNT:12345 drill by alice')
    expect(compactText(command('ACCOUNT:12345', 'UNKILL'))).toBe(
      '09:30:00 UNKILL ACCOUNT:12345 runaway algo by alice',
    )
    expect(compactText(tombstone('ACCOUNT:1'))).toBe('09:30:00 ∅ tombstone')
    expect(compactText(tailRecord('orders.v1', 'not an order'))).toBe('09:30:00 not an order')
    expect(compactText(tailRecord('orders.v1', { other: 1 }))).toBe('09:30:00 {"other":1}')
  })

  it('summarises a risk signal by its numbers', () => {
    const signal = tailRecord('risk_signals.v1', {
      account_id: '12345',
      order_count: 150,
      total_notional: 2_842_500,
      top_symbol: 'AAPL',
    })
    expect(compactParts(signal)).toEqual({
      time: '09:30:00',
      headline: undefined,
      detail: '12345 n=150 $2.8M AAPL',
    })
  })

  it("names a router's credit warning and how far up its line the account is", () => {
    expect(compactParts(creditWarning('12345', 75))).toEqual({
      time: expect.any(String),
      headline: 'CREDIT_WARNING',
      detail: '12345 75% of credit $75.0k of $100.0k',
    })
    expect(styleCompactLine(creditWarning('12345', 90), 80, colored)).toContain(colored.yellow('CREDIT_WARNING'))
  })

  it('cuts to the width with an ellipsis', () => {
    const line = compactText(audit('DROP'), 20)
    expect(line).toBe('09:30:00 DROP 12345…')
    expect(line).toHaveLength(20)
    expect(compactText(order('1'), 200)).toBe('09:30:00 1 BUY 100 AAPL @189.5')
  })

  it('colours the headline as tail does, only when the style has colour', () => {
    const line = styleCompactLine(audit('DROP'), 60, colored)
    expect(line).toContain(colored.red.bold('DROP'))
    expect(styleCompactLine(audit('DROP'), 60, plain)).toBe(compactText(audit('DROP'), 60))
    // A headline cut by the width is left plain rather than half-coloured.
    expect(styleCompactLine(audit('DROP'), 12, colored)).not.toContain(colored.red.bold('DROP'))
  })

  it('prefixes the topic for line output', () => {
    expect(prefixedLine(order('12345'), plain)).toBe('[orders.v1] 09:30:00 12345 BUY 100 AAPL @189.5')
  })
})

describe('targetScope', () => {
  it('is the account of an order, signal or decision, and the scope of a command or state', () => {
    expect(targetScope(order('12345'))).toBe('ACCOUNT:12345')
    expect(targetScope(audit('ALLOW', '777'))).toBe('ACCOUNT:777')
    expect(targetScope(command('STRATEGY:momentum', 'KILL'))).toBe('STRATEGY:momentum')
    expect(targetScope(state('GLOBAL', 'KILLED'))).toBe('GLOBAL')
    expect(targetScope(tombstone('GLOBAL'))).toBeUndefined()
    expect(targetScope(tailRecord('orders.v1', 'text'))).toBeUndefined()
  })
})

import { describe, expect, it } from 'vitest'
import { canonicalId } from '../../../src/domain/identifiers.js'
import { parseScope } from '../../../src/domain/scope.js'

describe('canonicalId: one spelling per identifier', () => {
  it.each([
    ['account', 'ABC-1', 'abc-1'],
    ['account', '  12345\t', '12345'],
    ['account', '１２３４５', '12345'],
    ['strategy', 'Momentum', 'momentum'],
    ['symbol', 'tsla', 'TSLA'],
    ['symbol', ' brk.b ', 'BRK.B'],
    ['symbol', 'ＴＳＬＡ', 'TSLA'],
    ['order_id', ' O-1\t', 'O-1'],
    ['order_id', 'Ab3', 'Ab3'],
  ] as const)('%s %j is %j', (kind, raw, id) => {
    expect(canonicalId(kind, raw)).toEqual({ ok: true, id })
  })

  it.each([
    ['account', '12345\u200b', /contains U\+200B/],
    ['account', '\u0430cct', /starts with U\+0430/],
    ['account', '12 345', /contains U\+0020/],
    ['account', 'a/b', /contains '\/'/],
    ['account', 'x'.repeat(65), /has 65 characters/],
    ['account', '', /is empty/],
    ['symbol', 'TSL\u0410', /contains U\+0410/],
    ['symbol', '1ABC', /starts with '1'/],
    ['symbol', 'ABCDEFGHIJK', /has 11 characters/],
    ['order_id', 'o 1', /contains U\+0020/],
    ['order_id', 'o'.repeat(129), /has 129 characters/],
  ] as const)('refuses %s %j, saying what is wrong and what is valid', (kind, raw, problem) => {
    const result = canonicalId(kind, raw)
    expect(result.ok).toBe(false)
    if (result.ok) return
    expect(result.problem).toMatch(problem)
    expect(result.problem).toMatch(/valid: /)
  })

  it('refuses a megabyte of text without looking at all of it', () => {
    const result = canonicalId('account', 'a'.repeat(1_200_000))
    expect(result).toEqual({ ok: false, problem: expect.stringMatching(/has 1200000 characters/) })
  })

  it('gives scopes the same canonical ids as orders, in any spelling of the kind', () => {
    expect(parseScope('symbol:tsla')).toMatchObject({ ok: true, text: 'SYMBOL:TSLA' })
    expect(parseScope(' account : ABC-1 ')).toMatchObject({ ok: true, text: 'ACCOUNT:abc-1' })
    expect(parseScope('ＡＣＣＯＵＮＴ:１２３４５')).toMatchObject({ ok: true, text: 'ACCOUNT:12345' })
    expect(parseScope('STRATEGY:Momentum')).toMatchObject({ ok: true, text: 'STRATEGY:momentum' })
    expect(parseScope('ACCOUNT:12345\u200b')).toMatchObject({
      ok: false,
      problem: expect.stringMatching(/U\+200B/),
    })
  })
})

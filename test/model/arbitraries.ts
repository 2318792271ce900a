import fc from 'fast-check'

/**
 * What the model-based test throws at the decision path: orders and commands whose identifiers come in every
 * spelling a client might send (each carrying the canonical id it must be matched as), timestamps minutes off,
 * re-sent order ids, reused and replayed cmd_ids, absurd and oversized values, malformed state records, and
 * restarts of each processor.
 */
export const ACCOUNTS = ['acct-1', 'acct-2', '12345'] as const
export const SYMBOLS = ['AAPL', 'TSLA'] as const
export const STRATEGIES = ['momentum', 'arb'] as const

/** One way to write an identifier; `valid: false` when no scope could name it (the router dead-letters it). */
export interface Spelling {
  readonly text: string
  readonly valid: boolean
}

const fullWidth = (text: string): string =>
  [...text].map((c) => (c >= '!' && c <= '~' ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c)).join('')

export function spellings(id: string): fc.Arbitrary<Spelling> {
  return fc.oneof(
    { weight: 6, arbitrary: fc.constant({ text: id, valid: true }) },
    { weight: 1, arbitrary: fc.constant({ text: id.toUpperCase(), valid: true }) },
    { weight: 1, arbitrary: fc.constant({ text: id.toLowerCase(), valid: true }) },
    { weight: 1, arbitrary: fc.constant({ text: `  ${id}\t`, valid: true }) },
    { weight: 1, arbitrary: fc.constant({ text: fullWidth(id), valid: true }) },
    { weight: 1, arbitrary: fc.constant({ text: `${id}\u200b`, valid: false }) },
    // A Cyrillic "а" in place of the first Latin letter or digit: looks the same, is another id.
    { weight: 1, arbitrary: fc.constant({ text: `\u0430${id.slice(1)}`, valid: false }) },
    { weight: 1, arbitrary: fc.constant({ text: id.padEnd(65, 'x'), valid: false }) },
  )
}

export type ClockSkew = number
const SKEWS: readonly ClockSkew[] = [0, 0, 0, -20_000, -5 * 60_000, 5 * 60_000, -10 * 24 * 3600_000]

export interface OrderSpec {
  readonly account: number
  readonly accountSpelling: Spelling
  readonly symbol: number
  readonly symbolSpelling: Spelling
  readonly strategy: number
  readonly strategySpelling: Spelling
  /** -1: a new order_id; otherwise re-send the n-th order_id made so far (modulo), spelt as it says. */
  readonly resend: number
  readonly resendSpelling: 'same' | 'upper' | 'padded'
  readonly skewMs: ClockSkew
  readonly price: 'normal' | 'absurd'
  /** 10 is under every max_order_qty the model sets but 5; 100 is over the default of 50. */
  readonly qty: 10 | 100
  readonly shape: 'valid' | 'not-json' | 'missing-field' | 'oversized' | 'bad-side'
}

const index = (n: number) => fc.integer({ min: 0, max: n - 1 })

export const orderSpec: fc.Arbitrary<OrderSpec> = fc
  .record({
    account: index(ACCOUNTS.length),
    symbol: index(SYMBOLS.length),
    strategy: index(STRATEGIES.length),
  })
  .chain((ids) =>
    fc.record({
      account: fc.constant(ids.account),
      accountSpelling: spellings(ACCOUNTS[ids.account]!),
      symbol: fc.constant(ids.symbol),
      symbolSpelling: spellings(SYMBOLS[ids.symbol]!),
      strategy: fc.constant(ids.strategy),
      strategySpelling: spellings(STRATEGIES[ids.strategy]!),
      resend: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(50) }),
      resendSpelling: fc.constantFrom('same', 'same', 'upper', 'padded'),
      skewMs: fc.constantFrom(...SKEWS),
      price: fc.constantFrom('normal', 'normal', 'normal', 'absurd'),
      qty: fc.constantFrom(10 as const, 10 as const, 10 as const, 100 as const),
      shape: fc.constantFrom(
        'valid',
        'valid',
        'valid',
        'valid',
        'valid',
        'valid',
        'not-json',
        'missing-field',
        'oversized',
        'bad-side',
      ),
    }),
  )

export type ScopeSpec =
  | { readonly kind: 'GLOBAL' }
  | { readonly kind: 'ACCOUNT' | 'SYMBOL' | 'STRATEGY'; readonly id: number; readonly spelling: Spelling }

const scopeSpec: fc.Arbitrary<ScopeSpec> = fc.oneof(
  { weight: 1, arbitrary: fc.constant({ kind: 'GLOBAL' as const }) },
  ...(
    [
      ['ACCOUNT', ACCOUNTS],
      ['SYMBOL', SYMBOLS],
      ['STRATEGY', STRATEGIES],
    ] as const
  ).map(([kind, ids]) => ({
    weight: kind === 'ACCOUNT' ? 4 : 2,
    arbitrary: index(ids.length).chain((id) =>
      spellings(ids[id]!).map((spelling) => ({ kind, id, spelling }) as ScopeSpec),
    ),
  })),
)

export interface CommandSpec {
  readonly action: 'KILL' | 'UNKILL' | 'THROTTLE'
  readonly scope: ScopeSpec
  /**
   * Who sends it: an operator by user name or by the direct path's identity (local:, sasl:), one naming an identity
   * of a channel that does not exist ('root:alice') or none at all, and automated or misspelt sources.
   */
  readonly source: 'operator' | 'operator-local' | 'operator-sasl' | 'operator-forged' | 'detector' | 'detector\u200b' | 'Operator' | 'no-operator'
  /** -1: a new cmd_id; otherwise reuse the n-th cmd_id made so far for this (maybe different) command. */
  readonly reuseCmdId: number
  readonly skewMs: number
  /**
   * Sent as the operator channel sends it, with its ALLOWED entry in operator_actions.v1 in the same write; or a raw
   * write to killswitch.commands.v1 alone, as anyone who may write that topic (the detector's principal) could.
   */
  readonly trailed: boolean
}

export const commandSpec: fc.Arbitrary<CommandSpec> = fc.record({
  action: fc.constantFrom('KILL', 'KILL', 'UNKILL', 'UNKILL', 'THROTTLE'),
  scope: scopeSpec,
  source: fc.constantFrom(
    'operator',
    'operator',
    'operator-local',
    'operator-sasl',
    'operator-forged',
    'detector',
    'detector\u200b',
    'Operator',
    'no-operator',
  ),
  reuseCmdId: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(20) }),
  // Two hours slow: past how far back the aggregator reads the trail for it.
  skewMs: fc.constantFrom(0, 0, 0, -10 * 60_000, -2 * 60 * 60_000),
  trailed: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
})

export type Step =
  | { readonly type: 'orders'; readonly orders: readonly OrderSpec[] }
  | { readonly type: 'command'; readonly command: CommandSpec }
  /** The n-th command record produced so far, appended again byte for byte. */
  | { readonly type: 'replay'; readonly nth: number }
  | {
      readonly type: 'bad-state'
      readonly shape: 'incomplete' | 'incomplete-other-key' | 'unreadable' | 'no-scope'
      readonly account: number
    }
  | { readonly type: 'restart'; readonly processor: 'router' | 'aggregator' | 'detector' }
  /**
   * An account's record on risk_limits.v1, as the aggregator writes it: a max_order_qty, or a record the router
   * cannot read (filed under the account's key), or a tombstone.
   */
  | { readonly type: 'limits'; readonly account: number; readonly limit: 5 | 500 | 'unreadable' | 'tombstone' }
  /** A symbol's reference price: 100 (the orders' price, inside the collar), 150 (outside it), or unreadable. */
  | { readonly type: 'price'; readonly symbol: number; readonly price: 100 | 150 | 'unreadable' }

export const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .array(orderSpec, { minLength: 1, maxLength: 12 })
      .map((orders) => ({ type: 'orders' as const, orders })),
  },
  { weight: 4, arbitrary: commandSpec.map((command) => ({ type: 'command' as const, command })) },
  { weight: 2, arbitrary: fc.nat(20).map((nth) => ({ type: 'replay' as const, nth })) },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('bad-state' as const),
      shape: fc.constantFrom(
        'incomplete' as const,
        'incomplete-other-key' as const,
        'unreadable' as const,
        'no-scope' as const,
      ),
      account: index(ACCOUNTS.length),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('limits' as const),
      account: index(ACCOUNTS.length),
      limit: fc.constantFrom(5 as const, 500 as const, 500 as const, 'unreadable' as const, 'tombstone' as const),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      type: fc.constant('price' as const),
      symbol: index(SYMBOLS.length),
      price: fc.constantFrom(100 as const, 100 as const, 150 as const, 'unreadable' as const),
    }),
  },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom('router' as const, 'aggregator' as const, 'detector' as const)
      .map((processor) => ({
        type: 'restart' as const,
        processor,
      })),
  },
)

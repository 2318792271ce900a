/**
 * The one spelling rule for every identifier a kill can name: account ids, symbols, strategies and order ids.
 * Scopes and orders both pass through it, so no spelling of a field (case, surrounding white space, full-width
 * or compatibility forms) can put an order beyond the reach of a kill of its scope. What the rule cannot map
 * onto its plain-ASCII form (a look-alike letter from another script, a zero-width character, a space inside,
 * too many characters) is refused with the reason, never matched loosely.
 *
 * The rule: Unicode NFKC, then trimmed, then one case per kind: symbols upper, account ids and strategies lower,
 * order ids as they are.
 */
export type IdentifierKind = 'account' | 'symbol' | 'strategy' | 'order_id'

export type Canonical =
  { readonly ok: true; readonly id: string } | { readonly ok: false; readonly problem: string }

interface Rule {
  /** The whole id, already canonical: plain ASCII is its own NFKC, so the common case is one test. */
  readonly canonical: RegExp
  /** One allowed character. */
  readonly char: RegExp
  /** What the first character must be. */
  readonly first: RegExp
  readonly letterCase: 'upper' | 'lower' | 'kept'
  readonly maxLength: number
  readonly valid: string
}

export const MAX_ID_LENGTH = 64
export const MAX_TICKER_LENGTH = 10
export const MAX_ORDER_ID_LENGTH = 128

/** Account ids and strategy names: the same rule, so a name typed for one kind reads the same for the other. */
const NAME_RULE: Rule = {
  canonical: /^[a-z0-9][a-z0-9._-]{0,63}$/,
  char: /^[a-z0-9._-]$/,
  first: /^[a-z0-9]$/,
  letterCase: 'lower',
  maxLength: MAX_ID_LENGTH,
  valid: `ASCII letters, digits, '.', '_' and '-', starting with a letter or digit, at most ${MAX_ID_LENGTH}`,
}

const RULES: Readonly<Record<IdentifierKind, Rule>> = {
  account: NAME_RULE,
  strategy: NAME_RULE,
  symbol: {
    canonical: /^[A-Z][A-Z0-9.]{0,9}$/,
    char: /^[A-Z0-9.]$/,
    first: /^[A-Z]$/,
    letterCase: 'upper',
    maxLength: MAX_TICKER_LENGTH,
    valid: `A-Z, digits and '.', starting with a letter, at most ${MAX_TICKER_LENGTH}`,
  },
  order_id: {
    canonical: /^[\x21-\x7e]{1,128}$/,
    char: /^[\x21-\x7e]$/,
    first: /^[\x21-\x7e]$/,
    // Order ids are case-sensitive in many schemes (base62, nanoid): two that differ in case are two orders.
    letterCase: 'kept',
    maxLength: MAX_ORDER_ID_LENGTH,
    valid: `printable ASCII without spaces, at most ${MAX_ORDER_ID_LENGTH}`,
  },
}

/** Whether `raw` already is the canonical form of an identifier of `kind`: one test, nothing allocated. */
export function isCanonical(kind: IdentifierKind, raw: string): boolean {
  return RULES[kind].canonical.test(raw)
}

/** The canonical form of `raw` as an identifier of `kind`, or what is wrong with it and what is valid. */
export function canonicalId(kind: IdentifierKind, raw: string): Canonical {
  const rule = RULES[kind]
  if (rule.canonical.test(raw)) return { ok: true, id: raw }
  return canonicalSlow(rule, kind, raw)
}

/** An id that is not already canonical: normalised, then checked character by character. */
function canonicalSlow(rule: Rule, kind: IdentifierKind, raw: string): Canonical {
  // Bounded before NFKC so that a megabyte of text costs nothing to refuse.
  if (raw.length > rule.maxLength * 4) return tooLong(kind, raw.length, rule)
  const folded = raw.normalize('NFKC').trim()
  const id =
    rule.letterCase === 'upper'
      ? folded.toUpperCase()
      : rule.letterCase === 'lower'
        ? folded.toLowerCase()
        : folded
  if (id.length === 0) return { ok: false, problem: `${label(kind)} is empty; valid: ${rule.valid}` }
  if (id.length > rule.maxLength) return tooLong(kind, id.length, rule)
  const wrong = offending(id, rule)
  if (wrong !== undefined) {
    return { ok: false, problem: `${label(kind)} ${JSON.stringify(raw)} ${wrong}; valid: ${rule.valid}` }
  }
  return { ok: true, id }
}

function tooLong(kind: IdentifierKind, length: number, rule: Rule): Canonical {
  return { ok: false, problem: `${label(kind)} has ${length} characters; valid: ${rule.valid}` }
}

function label(kind: IdentifierKind): string {
  return kind === 'account' ? 'account_id' : kind
}

/** Names the first character the rule refuses, with its code point, so that a zero-width one can be seen. */
function offending(id: string, rule: Rule): string | undefined {
  let index = 0
  for (const char of id) {
    if (!(index === 0 ? rule.first : rule.char).test(char)) {
      const code = char.codePointAt(0) ?? 0
      const where = index === 0 ? 'starts with' : 'contains'
      const shown =
        code > 0x20 && code < 0x7f ? `'${char}'` : `U+${code.toString(16).toUpperCase().padStart(4, '0')}`
      return `${where} ${shown}`
    }
    index += 1
  }
  return undefined
}

/**
 * Who an operator's command is recorded as. A person is a name (a console user's), or a name with the channel that
 * authenticated it: `local:<os user>` on the embedded log (the data directory is its owner's), `sasl:<user>` on a
 * broker that authenticated the connection, `unverified:<os user>` on a broker that authenticated nobody.
 */
export const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/
export const USER_NAME_FORM = "letters, digits, '.', '_', '@' and '-', starting with a letter or digit, at most 64"

/** Who the data directory's bootstrap token stands for: its admin, no named person. */
export const BOOTSTRAP_OPERATOR = 'console'

/** How the direct path's identity was established; the console's users carry no prefix. */
export const IDENTITY_PREFIXES = ['local', 'sasl', 'unverified'] as const
export type IdentityPrefix = (typeof IDENTITY_PREFIXES)[number]

/** An operator's name as the trail records it: plain ASCII, so that no look-alike or invisible character hides in it. */
export const OPERATOR_IDENTITY = /^(?:(?:local|sasl|unverified):)?[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/
export const OPERATOR_IDENTITY_FORM = `a user name (${USER_NAME_FORM}), optionally after local:, sasl: or unverified:`

/**
 * Names riskctl's own writers use (triggered_by, updated_by, the bootstrap token's) and the identity prefixes: a
 * person so named could pass for an automated source, or for another channel's identity.
 */
export const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'console',
  'aggregator',
  'detector',
  'router',
  'spark',
  'generator',
  'operator',
  'riskctl',
  'system',
  'unauthenticated',
  ...IDENTITY_PREFIXES,
])

export function prefixedIdentity(prefix: IdentityPrefix, name: string): string | undefined {
  const identity = `${prefix}:${name}`
  return USER_NAME.test(name) ? identity : undefined
}

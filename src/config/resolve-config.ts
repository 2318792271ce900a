import path from 'node:path'

export interface GlobalFlagValues {
  readonly 'data-dir'?: string | undefined
  readonly brokers?: string | undefined
  readonly json?: boolean | undefined
  readonly debug?: boolean | undefined
}

export type BackendConfig =
  | { readonly type: 'embedded'; readonly dataDir: string }
  /** dataDir still holds local files (the operator token, the audit index) when the log is Kafka. */
  | { readonly type: 'kafka'; readonly brokers: readonly string[]; readonly dataDir: string }

export interface RiskctlConfig {
  readonly backend: BackendConfig
  /** The whole environment the command started with, for adapters that take their settings from it. */
  readonly env: Readonly<Record<string, string | undefined>>
  readonly json: boolean
  readonly debug: boolean
  readonly color: boolean
  /** The operator console's bearer token from RISKCTL_OPERATOR_TOKEN; never printed. */
  readonly operatorToken: string | undefined
  /** RISKCTL_API_URL: send kill/unkill/throttle through this operator console. */
  readonly apiUrl: string | undefined
}

export interface ResolveConfigOptions {
  /** The per-user data directory oclif computes for this platform (XDG on Linux). */
  readonly defaultDataDir: string
  readonly env?: NodeJS.ProcessEnv
}

/**
 * Flag beats environment beats default. This is the only place riskctl reads process.env, so
 * every command sees the same, frozen view of its settings.
 */
export function resolveConfig(flags: GlobalFlagValues, options: ResolveConfigOptions): RiskctlConfig {
  const env = options.env ?? process.env
  const dataDir = path.resolve(flags['data-dir'] ?? nonEmpty(env.RISKCTL_DATA_DIR) ?? options.defaultDataDir)
  const brokers = (flags.brokers ?? nonEmpty(env.RISKCTL_BROKERS))
    ?.split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '')
  const backend: BackendConfig =
    brokers === undefined || brokers.length === 0
      ? { type: 'embedded', dataDir }
      : { type: 'kafka', brokers: Object.freeze(brokers), dataDir }
  return Object.freeze({
    backend: Object.freeze(backend),
    env: Object.freeze({ ...env }),
    json: flags.json ?? isTruthy(env.RISKCTL_JSON),
    debug: flags.debug ?? isTruthy(env.RISKCTL_DEBUG),
    // https://no-color.org: any non-empty NO_COLOR turns colour off.
    color: !nonEmpty(env.NO_COLOR) && env.TERM !== 'dumb',
    operatorToken: nonEmpty(env.RISKCTL_OPERATOR_TOKEN),
    apiUrl: nonEmpty(env.RISKCTL_API_URL),
  })
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase())
}

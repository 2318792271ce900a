import path from 'node:path'
import type { Profile } from './profile-store.js'
import {
  deploymentSettings,
  profileKafkaEnv,
  profileNotFound,
  splitBrokers,
  type DeploymentSettings,
} from './profile-settings.js'

export interface GlobalFlagValues {
  readonly 'data-dir'?: string | undefined
  readonly brokers?: string | undefined
  readonly profile?: string | undefined
  readonly json?: boolean | undefined
  readonly debug?: boolean | undefined
}

export type BackendConfig =
  | { readonly type: 'embedded'; readonly dataDir: string }
  /** dataDir still holds local files (the operator token, the audit index) when the log is Kafka. */
  | { readonly type: 'kafka'; readonly brokers: readonly string[]; readonly dataDir: string }

export interface RiskctlConfig {
  readonly backend: BackendConfig
  /**
   * The whole environment the command started with, for adapters that take their settings from it,
   * with a followed profile's Kafka settings filled in where the environment leaves them unset.
   */
  readonly env: Readonly<Record<string, string | undefined>>
  /** --profile or RISKCTL_PROFILE: the riskctl profile named, whether or not it was followed. */
  readonly profileName: string | undefined
  /** The deployment the named profile describes, when the command follows profiles. */
  readonly deployment: DeploymentSettings | undefined
  readonly json: boolean
  readonly debug: boolean
  readonly color: boolean
  /** The operator console's bearer token from RISKCTL_OPERATOR_TOKEN; never printed. */
  readonly operatorToken: string | undefined
  /** RISKCTL_API_URL, else the profile's: send kill/unkill/throttle through this operator console. */
  readonly apiUrl: string | undefined
}

export interface StoredProfile {
  readonly file: string
  readonly profile: Profile | undefined
}

export interface ResolveConfigOptions {
  /** The per-user data directory oclif computes for this platform (XDG on Linux). */
  readonly defaultDataDir: string
  readonly env?: NodeJS.ProcessEnv
  /**
   * Reads a profile by name. Without it a named profile is not followed: deploy, destroy and doctor
   * only take its name, and read or write the file themselves.
   */
  readonly readProfile?: (name: string) => StoredProfile
}

/**
 * Flag beats environment beats profile beats default. This is the only place riskctl reads
 * process.env, so every command sees the same, frozen view of its settings.
 */
export function resolveConfig(flags: GlobalFlagValues, options: ResolveConfigOptions): RiskctlConfig {
  const env = options.env ?? process.env
  const profileName = nonEmpty(flags.profile) ?? nonEmpty(env.RISKCTL_PROFILE)?.trim()
  const deployment =
    profileName === undefined || options.readProfile === undefined
      ? undefined
      : followProfile(profileName, options.readProfile)
  // A deployment's audit index is kept apart from the local log's, which would otherwise be rebuilt
  // at every switch, and a local console's token file is never offered to the deployment's console.
  const defaultDataDir =
    deployment === undefined
      ? options.defaultDataDir
      : path.join(options.defaultDataDir, 'profiles', deployment.name)
  const dataDir = path.resolve(flags['data-dir'] ?? nonEmpty(env.RISKCTL_DATA_DIR) ?? defaultDataDir)
  const named = flags.brokers ?? nonEmpty(env.RISKCTL_BROKERS)
  const brokers = named === undefined ? [...(deployment?.publicBrokers ?? [])] : splitBrokers(named)
  const backend: BackendConfig =
    brokers.length === 0
      ? { type: 'embedded', dataDir }
      : { type: 'kafka', brokers: Object.freeze(brokers), dataDir }
  return Object.freeze({
    backend: Object.freeze(backend),
    env: Object.freeze(
      deployment === undefined ? { ...env } : withDefaults(env, profileKafkaEnv(deployment)),
    ),
    profileName,
    deployment,
    json: flags.json ?? isTruthy(env.RISKCTL_JSON),
    debug: flags.debug ?? isTruthy(env.RISKCTL_DEBUG),
    // https://no-color.org: any non-empty NO_COLOR turns colour off.
    color: !nonEmpty(env.NO_COLOR) && env.TERM !== 'dumb',
    operatorToken: nonEmpty(env.RISKCTL_OPERATOR_TOKEN),
    apiUrl: nonEmpty(env.RISKCTL_API_URL) ?? deployment?.apiUrl,
  })
}

function followProfile(name: string, readProfile: (name: string) => StoredProfile): DeploymentSettings {
  const { file, profile } = readProfile(name)
  if (profile === undefined) throw profileNotFound(name, file)
  return deploymentSettings(profile, file)
}

function withDefaults(
  env: Readonly<Record<string, string | undefined>>,
  defaults: Readonly<Record<string, string>>,
): Record<string, string | undefined> {
  const merged: Record<string, string | undefined> = { ...env }
  for (const [name, value] of Object.entries(defaults)) merged[name] = nonEmpty(env[name]) ?? value
  return merged
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

function isTruthy(value: string | undefined): boolean {
  return value !== undefined && ['1', 'true', 'yes', 'on'].includes(value.trim().toLowerCase())
}

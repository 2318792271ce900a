import type { Config } from '@oclif/core'
import type { CloudDepsSettings } from '../cloud/cloud-deps.js'
import type { RiskctlConfig } from '../config/resolve-config.js'

/** deploy's and destroy's files, credentials and progress: with --json, stdout is for the report alone. */
export function cloudSettings(
  config: Pick<Config, 'configDir' | 'cacheDir'>,
  settings: Pick<RiskctlConfig, 'json' | 'debug'>,
  awsProfile: string | undefined,
): CloudDepsSettings {
  return {
    configDir: config.configDir,
    cacheDir: config.cacheDir,
    awsProfile,
    log: (line) => (settings.json ? process.stderr : process.stdout).write(`${line}\n`),
    verbose: settings.debug,
  }
}

import { Chalk, type ChalkInstance } from 'chalk'
import type { RiskctlConfig } from '../config/resolve-config.js'

export interface Output {
  readonly style: ChalkInstance
  readonly line: (text: string) => void
  readonly warn: (text: string) => void
}

/**
 * Writes data to stdout and everything for a person only (progress, warnings) to stderr. JSON is
 * not here: the base command prints a command's result, once.
 */
export function createOutput(config: Pick<RiskctlConfig, 'color'>): Output {
  const style = new Chalk(config.color ? {} : { level: 0 })
  return {
    style,
    line: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`${style.yellow('Warning:')} ${text}\n`),
  }
}

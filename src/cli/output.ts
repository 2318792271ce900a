import { Chalk, type ChalkInstance } from 'chalk'
import type { RiskctlConfig } from '../config/resolve-config.js'

export interface Output {
  readonly style: ChalkInstance
  readonly json: (value: unknown) => void
  readonly line: (text: string) => void
  readonly warn: (text: string) => void
}

/** Writes data to stdout and everything for a person only (progress, warnings) to stderr. */
export function createOutput(config: Pick<RiskctlConfig, 'color'>): Output {
  const style = new Chalk(config.color ? {} : { level: 0 })
  return {
    style,
    json: (value) => process.stdout.write(`${JSON.stringify(value, null, 2)}\n`),
    line: (text) => process.stdout.write(`${text}\n`),
    warn: (text) => process.stderr.write(`${style.yellow('Warning:')} ${text}\n`),
  }
}

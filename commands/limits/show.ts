import { Args } from '@oclif/core'
import { apiFlag } from '../../src/cli/kill-switch-command.js'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderLimitsRecords } from '../../src/cli/render-limits.js'
import type { LimitsRecord } from '../../src/domain/pretrade/limits-command.js'
import { showLimits } from '../../src/services/limits.js'

export default class LimitsShow extends BaseCommand<typeof LimitsShow, LimitsRecord[]> {
  static override summary = "Show each scope's pre-trade limits: what they are, who set them, why, until when."
  static override description =
    'Reads the compacted risk_limits.v1 to its end, as a router does before it decides (with --api: the operator console reads it). A scope without a record takes the firm\'s (GLOBAL) limits, then the topology defaults. --json prints the records as they stand on the topic.'
  static override profileUse = 'connect' as const
  static override examples = ['<%= config.bin %> limits show', '<%= config.bin %> limits show ACCOUNT:12345 --json']
  static override args = {
    scope: Args.string({ description: 'GLOBAL | ACCOUNT:<id> (default: every scope)' }),
  }
  static override flags = {
    api: apiFlag('Read them'),
  }

  async run(): Promise<LimitsRecord[]> {
    return showLimits(this.args.scope, this.operatorRoute(this.flags.api))
  }

  protected override render(records: LimitsRecord[]): void {
    this.out.line(renderLimitsRecords(records, this.out.style))
  }
}

import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { cloudSettings } from '../src/cli/cloud-settings.js'
import type { DestroyReport } from '../src/cloud/deployer.js'
import { DEFAULT_PROFILE } from '../src/config/profile-store.js'
import { destroyOnAws } from '../src/services/destroy.js'

export default class Destroy extends BaseCommand<typeof Destroy, DestroyReport> {
  static override summary = 'Take the riskctl AWS deployment down, data included, and stop paying for it.'
  static override description =
    'Cancels the detector job runs, deletes the stack (MSK, functions, tables, bucket, everything), checks that the EMR Serverless application is gone and removes the profile (--profile, "default" without it). Running it again when there is nothing left succeeds.'
  static override examples = [
    '<%= config.bin %> destroy --profile class',
    '<%= config.bin %> destroy --region eu-west-1 --yes',
  ]
  static override profileUse = 'name' as const
  static override flags = {
    // No env default: the profile's region must win over whatever AWS_REGION the shell has.
    region: Flags.string({ description: "AWS region (default: the profile's; needed without a profile)" }),
    'aws-profile': Flags.string({
      description: 'AWS credentials profile (default: the SDK chain) [env: AWS_PROFILE]',
    }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation' }),
  }

  async run(): Promise<DestroyReport> {
    return destroyOnAws(
      { profileName: this.settings.profileName ?? DEFAULT_PROFILE, region: this.flags.region, yes: this.flags.yes },
      cloudSettings(this.config, this.settings, this.flags['aws-profile']),
    )
  }

  protected override render(report: DestroyReport): void {
    this.out.line(
      report.stackExisted
        ? `Destroyed the riskctl stack in ${report.region}; nothing of it is left running.`
        : `There was no riskctl stack in ${report.region}: nothing to destroy.`,
    )
  }
}

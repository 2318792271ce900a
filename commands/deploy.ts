import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { cloudSettings } from '../src/cli/cloud-settings.js'
import { renderDeployReport } from '../src/cli/render-cloud.js'
import type { DeployReport } from '../src/cloud/deployer.js'
import { DEFAULT_PROFILE } from '../src/config/profile-store.js'
import { deployToAws } from '../src/services/deploy.js'

export default class Deploy extends BaseCommand<typeof Deploy, DeployReport> {
  static override summary =
    'Stand riskctl up on AWS: MSK, the processors on Lambda, the detector on EMR Serverless.'
  static override description =
    'Shows every resource it will create and the estimated hourly cost, asks (unless --yes), deploys with the AWS CDK from inside this process with a line per resource, stores the outputs in the riskctl profile named by --profile ("default" without it) and starts the Spark detector. A failed deploy is rolled back. --dry-run only plans: no credentials needed. It keeps costing money until `riskctl destroy`.'
  static override examples = [
    '<%= config.bin %> deploy --dry-run',
    '<%= config.bin %> deploy --profile class --region eu-west-1',
    '<%= config.bin %> deploy --profile class --laptop-access 203.0.113.7/32 --yes',
  ]
  static override profileUse = 'name' as const
  static override flags = {
    region: Flags.string({
      description: 'AWS region [env: AWS_REGION]',
      env: 'AWS_REGION',
      default: 'us-east-1',
    }),
    'aws-profile': Flags.string({
      description: 'AWS credentials profile (default: the SDK chain) [env: AWS_PROFILE]',
    }),
    'laptop-access': Flags.string({
      description:
        'Open MSK public access (IAM auth only) to this CIDR so tail, state and audit work from a laptop',
    }),
    'dry-run': Flags.boolean({ description: 'Print the plan and the cost; deploy nothing' }),
    yes: Flags.boolean({ char: 'y', description: 'Do not ask for confirmation' }),
  }

  async run(): Promise<DeployReport> {
    return deployToAws(
      {
        profileName: this.profileName(),
        region: this.flags.region,
        laptopCidr: this.flags['laptop-access'],
        dryRun: this.flags['dry-run'],
        yes: this.flags.yes,
      },
      cloudSettings(this.config, this.settings, this.flags['aws-profile']),
    )
  }

  protected override render(report: DeployReport): void {
    this.out.line(renderDeployReport(report, this.profileName()))
  }

  private profileName(): string {
    return this.settings.profileName ?? DEFAULT_PROFILE
  }
}

import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { cloudDeps } from '../src/cloud/cloud-deps.js'
import { formatUsd } from '../src/cloud/cost.js'
import { deploy } from '../src/cloud/deployer.js'
import { DEFAULT_PROFILE } from '../src/cloud/profile-store.js'

export default class Deploy extends BaseCommand<typeof Deploy> {
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

  async run(): Promise<void> {
    const profileName = this.settings.profileName ?? DEFAULT_PROFILE
    const log = (line: string) => process.stderr.write(`${line}\n`)
    const report = await deploy(
      {
        profileName,
        region: this.flags.region,
        laptopCidr: this.flags['laptop-access'],
        dryRun: this.flags['dry-run'],
        yes: this.flags.yes,
      },
      cloudDeps({
        configDir: this.config.configDir,
        cacheDir: this.config.cacheDir,
        awsProfile: this.flags['aws-profile'],
        log: this.settings.json ? log : (line) => this.out.line(line),
        verbose: this.settings.debug,
      }),
    )
    if (this.settings.json) return this.out.json(report)
    if (report.dryRun)
      return this.out.line(
        `\nDry run: nothing was deployed (${formatUsd(report.cost.perHour)}/h if it were).`,
      )
    const outputs = report.profile?.outputs
    this.out.line(
      [
        '',
        `Deployed. Profile "${profileName}" saved to ${report.profilePath}`,
        `  API:        ${outputs?.apiUrl}`,
        `  brokers:    ${outputs?.publicBootstrapBrokers ?? outputs?.bootstrapBrokers}`,
        `  EMR app:    ${outputs?.emrApplicationId} (detector job ${report.jobRun?.jobRunId}: ${report.jobRun?.state})`,
        `  dashboard:  ${outputs?.dashboardUrl}`,
        `Use it from here with --profile ${profileName}; take it down with: riskctl destroy --profile ${profileName}`,
      ].join('\n'),
    )
  }
}

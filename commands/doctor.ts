import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderDoctorChecks } from '../src/cli/render-cloud.js'
import { DEFAULT_PROFILE } from '../src/config/profile-store.js'
import { ExitCode } from '../src/errors.js'
import { checkDeployment, hasFailedCheck, type DoctorResult } from '../src/services/doctor.js'

export default class Doctor extends BaseCommand<typeof Doctor, DoctorResult> {
  static override summary = 'Check a riskctl AWS deployment: console, topics, detector job, functions.'
  static override description =
    'Reads the profile riskctl deploy wrote (--profile, "default" without it) and checks that the operator console answers, the topics exist with the state topic compacted (needs --laptop-access on the deploy), the Spark detector job is running, and the functions\u2019 MSK event source mappings are enabled and processing. Exits 3 if any check fails.'
  static override examples = ['<%= config.bin %> doctor --profile class']
  static override profileUse = 'name' as const
  static override flags = {
    'aws-profile': Flags.string({
      description: 'AWS credentials profile (default: the SDK chain) [env: AWS_PROFILE]',
    }),
  }

  async run(): Promise<DoctorResult> {
    return checkDeployment({
      profileName: this.settings.profileName ?? DEFAULT_PROFILE,
      configDir: this.config.configDir,
      awsProfile: this.flags['aws-profile'],
    })
  }

  protected override render(result: DoctorResult): void {
    this.out.line(renderDoctorChecks(result))
  }

  protected override exitCodeOf(result: DoctorResult): ExitCode {
    return hasFailedCheck(result) ? ExitCode.unavailable : ExitCode.ok
  }
}

import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { runDoctor } from '../src/cloud/doctor.js'
import { awsProbes } from '../src/cloud/doctor-probes.js'
import { DEFAULT_PROFILE, ProfileStore } from '../src/cloud/profile-store.js'
import { profileNotFound } from '../src/config/profile-settings.js'
import { ExitCode } from '../src/errors.js'

const MARK = { ok: 'ok  ', warn: 'warn', fail: 'FAIL', skip: 'skip' } as const

export default class Doctor extends BaseCommand<typeof Doctor> {
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

  async run(): Promise<void> {
    const name = this.settings.profileName ?? DEFAULT_PROFILE
    const profiles = new ProfileStore(this.config.configDir)
    const profile = profiles.read(name)
    if (profile === undefined) throw profileNotFound(name, profiles.pathOf(name))
    const checks = await runDoctor(
      profile,
      awsProbes({ region: profile.region, awsProfile: this.flags['aws-profile'] }),
    )
    if (this.settings.json) this.out.json({ profile: profile.name, checks })
    else {
      for (const check of checks) {
        this.out.line(`${MARK[check.status]}  ${check.name.padEnd(13)} ${check.detail}`)
        if (check.fix && check.status !== 'ok') this.out.line(`      ${' '.repeat(13)} ${check.fix}`)
      }
    }
    if (checks.some((check) => check.status === 'fail')) this.exitWith(ExitCode.unavailable)
  }
}

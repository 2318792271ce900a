import { runDoctor, type Check } from '../cloud/doctor.js'
import { awsProbes } from '../cloud/doctor-probes.js'
import { ProfileStore } from '../config/profile-store.js'
import { profileNotFound } from '../config/profile-settings.js'

export interface DoctorOptions {
  readonly profileName: string
  /** riskctl's config directory, where deploy wrote the profile. */
  readonly configDir: string
  readonly awsProfile: string | undefined
}

export interface DoctorResult {
  readonly profile: string
  readonly checks: readonly Check[]
}

/** `riskctl doctor`: every check of the deployment a profile describes; one failing hides none of the rest. */
export async function checkDeployment(options: DoctorOptions): Promise<DoctorResult> {
  const profiles = new ProfileStore(options.configDir)
  const profile = profiles.read(options.profileName)
  if (profile === undefined) throw profileNotFound(options.profileName, profiles.pathOf(options.profileName))
  const checks = await runDoctor(
    profile,
    awsProbes({ region: profile.region, awsProfile: options.awsProfile }),
  )
  return { profile: profile.name, checks }
}

export function hasFailedCheck(result: DoctorResult): boolean {
  return result.checks.some((check) => check.status === 'fail')
}

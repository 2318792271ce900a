import fs from 'node:fs'
import path from 'node:path'
import { z } from 'zod'
import { badInput } from '../errors.js'

export const profileSchema = z.object({
  name: z.string(),
  region: z.string(),
  stackName: z.string(),
  deployedAt: z.string(),
  laptopCidr: z.string().optional(),
  outputs: z.object({
    apiUrl: z.string(),
    bootstrapBrokers: z.string(),
    publicBootstrapBrokers: z.string().optional(),
    emrApplicationId: z.string(),
    jobRoleArn: z.string(),
    bucket: z.string(),
    dashboardUrl: z.string(),
    generatorFunction: z.string(),
    tokenSecretArn: z.string(),
    clusterArn: z.string(),
  }),
  jobRunId: z.string().optional(),
})

/** What `riskctl deploy` learnt, so that later commands only need `--profile NAME`. Holds no secret. */
export type Profile = z.infer<typeof profileSchema>

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/

/** The profile deploy, destroy and doctor use when none is named. */
export const DEFAULT_PROFILE = 'default'

/** Profiles live in riskctl's config directory (XDG on Linux): <configDir>/profiles/<name>.json. */
export class ProfileStore {
  constructor(private readonly configDir: string) {}

  pathOf(name: string): string {
    if (!NAME.test(name)) {
      throw badInput('RISKCTL_PROFILE_INVALID', `"${name}" is not a valid profile name.`, [
        'Use letters, digits, "-" and "_" (at most 64).',
      ])
    }
    return path.join(this.configDir, 'profiles', `${name}.json`)
  }

  read(name: string): Profile | undefined {
    let text: string
    try {
      text = fs.readFileSync(this.pathOf(name), 'utf8')
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
      throw error
    }
    const parsed = profileSchema.safeParse(JSON.parse(text))
    if (!parsed.success) {
      throw badInput(
        'RISKCTL_PROFILE_INVALID',
        `The profile file ${this.pathOf(name)} is not one riskctl wrote.`,
        ['Run riskctl deploy again to rewrite it.'],
      )
    }
    return parsed.data
  }

  /** Written whole through a temporary file, so a crash never leaves half a profile. */
  write(profile: Profile): string {
    const file = this.pathOf(profile.name)
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 })
    const temporary = `${file}.${process.pid}.tmp`
    fs.writeFileSync(temporary, `${JSON.stringify(profileSchema.parse(profile), null, 2)}\n`, { mode: 0o600 })
    fs.renameSync(temporary, file)
    return file
  }

  remove(name: string): boolean {
    try {
      fs.unlinkSync(this.pathOf(name))
      return true
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false
      throw error
    }
  }
}

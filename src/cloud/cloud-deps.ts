import { randomUUID } from 'node:crypto'
import os from 'node:os'
import path from 'node:path'
import { bundleHandlers } from './bundle.js'
import { cdkToolkit } from './cloud-toolkit.js'
import { confirmOnTerminal } from './confirm.js'
import type { CloudDeps } from './deployer.js'
import { createEmrClient, DetectorJobs } from './emr-jobs.js'
import { buildJobPackage, fetchJobJars, missingJobJars } from './job-package.js'
import { ProfileStore } from '../config/profile-store.js'
import { progressHost } from './progress-lines.js'

export interface CloudDepsSettings {
  /** riskctl's config directory (oclif's configDir): profiles go under it. */
  readonly configDir: string
  /** riskctl's cache directory: bundles and the job package are built there. */
  readonly cacheDir: string
  readonly awsProfile?: string | undefined
  /** Overrides every AWS endpoint this module calls directly (the moto server in scripts/aws). */
  readonly endpoint?: string | undefined
  readonly log: (line: string) => void
  readonly verbose?: boolean
}

/** The real collaborators of deploy and destroy: the CDK toolkit, EMR Serverless, the profile files. */
export function cloudDeps(settings: CloudDepsSettings): CloudDeps {
  const host = progressHost(settings.log, { verbose: settings.verbose ?? false })
  const workDir = path.join(settings.cacheDir || os.tmpdir(), 'aws')
  return {
    toolkit: (region) => cdkToolkit({ ioHost: host, region, awsProfile: settings.awsProfile }),
    jobs: (region) =>
      new DetectorJobs(
        createEmrClient({ region, awsProfile: settings.awsProfile, endpoint: settings.endpoint }),
      ),
    profiles: new ProfileStore(settings.configDir),
    confirm: confirmOnTerminal,
    log: settings.log,
    build: async () => {
      settings.log('Bundling the Lambda functions and the Spark job package...')
      const bundleDir = await bundleHandlers(path.join(workDir, 'bundles'))
      if (missingJobJars().length > 0) {
        settings.log('Fetching the Spark job\'s jars from Maven Central (once; cached after)...')
        await fetchJobJars(settings.log)
      }
      const jobPackageDir = buildJobPackage(path.join(workDir, 'spark-job'))
      return { bundleDir, jobPackageDir }
    },
    failures: () => host.failures,
    now: () => new Date(),
    newToken: randomUUID,
  }
}

import fs from 'node:fs'
import path from 'node:path'
import { execa } from 'execa'
import { ExitCode, RiskctlError } from '../errors.js'
import { JOB_PACKAGE_JARS } from '../spark/emr-job-config.js'
import { sparkInstall } from '../spark/spark-install.js'
import { zipStore } from './zip-store.js'

export interface JobPackageSources {
  /** The checkout holding topologies/spark and topologies/detector.json. */
  readonly root: string
  /** Where scripts/spark/setup.sh caches the jars from Maven Central. */
  readonly jarsDir: string
}

function defaultSources(): JobPackageSources {
  const install = sparkInstall()
  return { root: install.projectRoot, jarsDir: install.jarsDir }
}

/** The jars of JOB_PACKAGE_JARS not in the cache yet. */
export function missingJobJars(jarsDir: string = defaultSources().jarsDir): string[] {
  return JOB_PACKAGE_JARS.filter((jar) => !fs.existsSync(path.join(jarsDir, jar)))
}

/**
 * Fetches the jars with scripts/spark/setup.sh --jars-only (Maven, from Maven Central, cached), for a
 * deploy from a checkout that never ran the Spark engine locally. Maven's lines go to `log`.
 */
export async function fetchJobJars(log: (line: string) => void, root: string = defaultSources().root): Promise<void> {
  const script = path.join(root, 'scripts', 'spark', 'setup.sh')
  const child = execa('bash', [script, '--jars-only'], { all: true, reject: false, stdin: 'ignore' })
  for await (const line of child.iterable({ from: 'all' })) log(`  ${line}`)
  const result = await child
  if (result.exitCode !== 0) {
    throw new RiskctlError(`Could not fetch the Spark job's jars: ${script} --jars-only exited ${result.exitCode}.`, {
      code: 'RISKCTL_SPARK_JARS',
      exitCode: ExitCode.precondition,
      suggestions: ['the jars come from Maven Central through mvn: check that java 17 and mvn are on PATH'],
    })
  }
}

/**
 * The Spark job package, laid out as the StartJobRun request expects it under its artifactsUri
 * (src/spark/emr-start-job-run.ts): the entry point, the riskjob modules as riskjob.zip for
 * --py-files, the detector settings shared with the in-process detector (topologies/detector.json)
 * for --files, and jars/ for --jars. `riskctl deploy` uploads it to s3://<bucket>/spark/job/.
 */
export function buildJobPackage(outDir: string, sources: JobPackageSources = defaultSources()): string {
  const spark = path.join(sources.root, 'topologies', 'spark')
  if (!fs.existsSync(path.join(spark, 'risk_detector.py'))) {
    throw new RiskctlError(`The Spark job is not in ${spark}.`, {
      code: 'RISKCTL_SPARK_JOB_MISSING',
      exitCode: ExitCode.precondition,
      suggestions: ['run riskctl deploy from a riskctl checkout: the npm package does not ship the Spark job'],
    })
  }
  const missing = missingJobJars(sources.jarsDir)
  if (missing.length > 0) {
    throw new RiskctlError(`The Spark job package lacks ${missing.join(', ')} in ${sources.jarsDir}.`, {
      code: 'RISKCTL_SPARK_JARS',
      exitCode: ExitCode.precondition,
      suggestions: ['run bash scripts/spark/setup.sh --jars-only (Maven Central, cached after)'],
    })
  }
  // Built beside the output and renamed into place, so an upload never sees half a package.
  const partial = `${outDir}.partial`
  fs.rmSync(partial, { recursive: true, force: true })
  fs.mkdirSync(path.join(partial, 'jars'), { recursive: true })
  fs.copyFileSync(path.join(spark, 'risk_detector.py'), path.join(partial, 'risk_detector.py'))
  fs.copyFileSync(path.join(sources.root, 'topologies', 'detector.json'), path.join(partial, 'detector.json'))
  for (const jar of JOB_PACKAGE_JARS)
    fs.copyFileSync(path.join(sources.jarsDir, jar), path.join(partial, 'jars', jar))
  fs.writeFileSync(path.join(partial, 'riskjob.zip'), zipStore(riskjobEntries(path.join(spark, 'riskjob'))))
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.renameSync(partial, outDir)
  return outDir
}

/** Only the package's sources, as riskjob/..., in a fixed order: the same sources give the same zip. */
function riskjobEntries(modules: string): { name: string; data: Buffer }[] {
  return fs
    .readdirSync(modules, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.py'))
    .sort()
    .map((file) => ({
      name: `riskjob/${file.split(path.sep).join('/')}`,
      data: fs.readFileSync(path.join(modules, file)),
    }))
}

import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { zipStore } from './zip-store.js'

/** The project root: two levels above src/cloud, in a checkout and (as dist/..) in an install. */
function projectRoot(): string {
  const here = path.dirname(fileURLToPath(import.meta.url))
  const candidates = [path.resolve(here, '../..'), path.resolve(here, '../../..')]
  return (
    candidates.find((dir) => fs.existsSync(path.join(dir, 'topologies', 'detector.json'))) ?? candidates[0]!
  )
}

/**
 * The Spark job package the stack uploads to s3://<bucket>/spark/job/: the entry point, the
 * riskjob modules as riskjob.zip for --py-files, and the detector settings shared with the
 * in-process detector (topologies/detector.json), so both judge with the same thresholds.
 */
export function buildJobPackage(outDir: string, root: string = projectRoot()): string {
  const spark = path.join(root, 'topologies', 'spark')
  const modules = path.join(spark, 'riskjob')
  if (!fs.existsSync(path.join(spark, 'risk_detector.py'))) {
    throw new Error(
      `the Spark job is not in ${spark}; run riskctl deploy from a riskctl checkout or package that ships it`,
    )
  }
  fs.rmSync(outDir, { recursive: true, force: true })
  fs.mkdirSync(outDir, { recursive: true })
  fs.copyFileSync(path.join(spark, 'risk_detector.py'), path.join(outDir, 'risk_detector.py'))
  fs.copyFileSync(path.join(root, 'topologies', 'detector.json'), path.join(outDir, 'detector.json'))
  const entries = fs
    .readdirSync(modules, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.py'))
    .sort()
    .map((file) => ({
      name: `riskjob/${file.split(path.sep).join('/')}`,
      data: fs.readFileSync(path.join(modules, file)),
    }))
  fs.writeFileSync(path.join(outDir, 'riskjob.zip'), zipStore(entries))
  return outDir
}

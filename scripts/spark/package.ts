import path from 'node:path'
import { buildJobPackage, fetchJobJars, missingJobJars } from '../../src/cloud/job-package.js'

/**
 * The Spark job as EMR Serverless takes it, in the directory given (default .cache/spark-package),
 * ready to upload as is to the StartJobRun request's artifactsUri: the same package `riskctl deploy`
 * uploads. The jars come from Maven Central the first time (scripts/spark/setup.sh --jars-only).
 */
const outDir = path.resolve(process.argv[2] ?? '.cache/spark-package')
if (missingJobJars().length > 0) await fetchJobJars((line) => console.error(line))
buildJobPackage(outDir)
console.log(outDir)

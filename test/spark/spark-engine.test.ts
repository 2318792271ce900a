import { mkdirSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ExitCode, RiskctlError } from '../../src/errors.js'
import { kafkaBrokers, runSparkDetector } from '../../src/spark/spark-detector.js'
import { connectorJars, sparkInstall, type SparkInstall } from '../../src/spark/spark-install.js'
import { runSparkProcess } from '../../src/spark/spark-process.js'
import { sparkEnv, sparkSubmitArgs } from '../../src/spark/spark-submit-args.js'
import { createTempDir } from '../helpers/cli.js'

const KAFKA = { type: 'kafka', brokers: ['127.0.0.1:9092'], dataDir: '/tmp/riskctl' } as const

/** A project root laid out as scripts/spark/setup.sh leaves it, with a stand-in for spark-submit. */
function fakeInstall(root: string, sparkSubmitScript: string | undefined): SparkInstall {
  const install = sparkInstall(root)
  if (sparkSubmitScript !== undefined) {
    mkdirSync(path.dirname(install.sparkSubmit), { recursive: true })
    writeFileSync(install.sparkSubmit, `#!${process.execPath}\n${sparkSubmitScript}\n`, { mode: 0o755 })
    mkdirSync(install.jarsDir, { recursive: true })
    for (const jar of ['spark-sql-kafka-0-10_2.12-3.5.7.jar', 'kafka-clients-3.4.1.jar']) {
      writeFileSync(path.join(install.jarsDir, jar), '')
    }
  }
  return install
}

function thrown(run: () => unknown): RiskctlError {
  try {
    run()
  } catch (error) {
    if (error instanceof RiskctlError) return error
    throw error
  }
  throw new Error('expected a RiskctlError')
}

describe('riskctl detect --engine spark', () => {
  let root: { path: string; remove: () => Promise<void> }
  beforeEach(async () => {
    root = await createTempDir('riskctl-spark-')
  })
  afterEach(async () => {
    await root.remove()
  })

  it('needs Kafka: on the embedded log it is bad input (exit 2)', () => {
    const error = thrown(() => kafkaBrokers({ type: 'embedded', dataDir: '/tmp/x' }))
    expect([error.code, error.exitCode]).toEqual(['RISKCTL_SPARK_NEEDS_KAFKA', ExitCode.badInput])
  })

  it('says to run setup.sh when the virtualenv or the jars are missing (exit 5)', () => {
    const error = thrown(() => connectorJars(fakeInstall(root.path, undefined)))
    expect([error.code, error.exitCode]).toEqual(['RISKCTL_SPARK_NOT_INSTALLED', ExitCode.precondition])
    expect(error.message).toContain('.venv/bin/spark-submit')
    expect(error.suggestions.join(' ')).toContain('scripts/spark/setup.sh')
  })

  it('submits the job to local[2] with the cached jars, the brokers, the topology and the checkpoint', () => {
    const install = fakeInstall(root.path, '')
    const jars = connectorJars(install)
    const args = sparkSubmitArgs(install, {
      brokers: ['127.0.0.1:9092', '127.0.0.1:9094'],
      topologyFile: '/repo/topologies/detector.json',
      checkpoint: '/repo/.cache/spark-checkpoints/detect',
      jars,
    })
    expect(args.slice(0, 6)).toEqual([
      '--master',
      'local[2]',
      '--name',
      'riskctl-detector',
      '--jars',
      `${install.jarsDir}/kafka-clients-3.4.1.jar,${install.jarsDir}/spark-sql-kafka-0-10_2.12-3.5.7.jar`,
    ])
    expect(args.slice(args.indexOf(install.jobFile))).toEqual([
      install.jobFile,
      '--brokers',
      '127.0.0.1:9092,127.0.0.1:9094',
      '--topology',
      '/repo/topologies/detector.json',
      '--checkpoint',
      '/repo/.cache/spark-checkpoints/detect',
      '--starting-offsets',
      'latest',
    ])
    expect(sparkEnv(install, { PYTHONPATH: '/extra' })).toMatchObject({
      PYSPARK_PYTHON: install.python,
      PYTHONPATH: `${install.jobDir}:/extra`,
    })
  })

  it('passes a micro-batch interval only when one is given', () => {
    const install = fakeInstall(root.path, '')
    const options = { brokers: ['b:9092'], topologyFile: 't.json', checkpoint: 'cp', jars: [] }
    expect(sparkSubmitArgs(install, options)).not.toContain('--trigger-ms')
    expect(sparkSubmitArgs(install, { ...options, triggerMs: 500 }).slice(-2)).toEqual([
      '--trigger-ms',
      '500',
    ])
  })

  it('streams every line of the job and stops it with SIGINT', async () => {
    // Given a spark-submit that logs, then waits, and exits 0 on SIGINT as Spark's shutdown hook does
    const install = fakeInstall(
      root.path,
      [
        // Listening before the line that makes the test press Ctrl+C, or the signal can come first.
        "process.on('SIGINT', () => { console.error('stopping'); process.exit(0) })",
        "console.log('risk_detector: started riskctl_detector')",
        "console.error('WARN MicroBatchExecution: progress')",
        'setInterval(() => {}, 1000)',
      ].join('\n'),
    )
    const lines: string[] = []
    const controller = new AbortController()
    // When it is running and the user presses Ctrl+C
    const run = runSparkDetector({
      install,
      backend: KAFKA,
      topologyFile: 'detector.json',
      checkpoint: path.join(root.path, 'cp'),
      env: {},
      signal: controller.signal,
      onLine: (line) => {
        lines.push(line)
        if (line.includes('progress')) controller.abort()
      },
    })
    // Then riskctl saw its output and it stopped cleanly
    await expect(run).resolves.toMatchObject({ checkpoint: path.join(root.path, 'cp') })
    expect(lines).toEqual([
      'risk_detector: started riskctl_detector',
      'WARN MicroBatchExecution: progress',
      'stopping',
    ])
  })

  it('follows SIGINT with SIGTERM when the job does not stop in its grace period', async () => {
    const ignoresSigint =
      "process.on('SIGINT', () => console.log('ignored')); console.log('up'); setInterval(() => {}, 1000)"
    const controller = new AbortController()
    const result = await runSparkProcess({
      command: fakeInstall(root.path, ignoresSigint).sparkSubmit,
      args: [],
      env: {},
      cwd: root.path,
      signal: controller.signal,
      graceMs: 200,
      onLine: (line) => {
        if (line === 'up') controller.abort()
      },
    })
    expect(result).toMatchObject({ stopped: true, signal: 'SIGTERM' })
  })

  it('reports a job that ends on its own as a failure with the exit status', async () => {
    const install = fakeInstall(
      root.path,
      "console.error('Connection to node -1 could not be established'); process.exit(1)",
    )
    const run = runSparkDetector({
      install,
      backend: KAFKA,
      topologyFile: 'detector.json',
      checkpoint: 'cp',
      env: {},
      signal: new AbortController().signal,
      onLine: () => undefined,
    })
    await expect(run).rejects.toMatchObject({
      code: 'RISKCTL_SPARK_FAILED',
      message: expect.stringContaining('exit code 1'),
    })
  })
})

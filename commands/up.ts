import path from 'node:path'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { createInterruptSignal } from '../src/cli/interrupt.js'
import { renderStatusLine } from '../src/cli/render-status.js'
import { resolveOperatorToken } from '../src/console/operator-token.js'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH, loadDetectorTopology } from '../src/config/detector-topology.js'
import { startSparkDetectorTask } from '../src/spark/spark-task.js'
import { createAllTopics } from '../src/services/topics-create.js'
import { parseComponents, startPipeline } from '../src/services/pipeline.js'
import { parseSpan } from '../src/services/time-span.js'

export default class Up extends BaseCommand<typeof Up> {
  static override summary = 'Run the detector, aggregator, router and operator console until Ctrl+C.'
  static override description =
    'Creates any missing topic, loads the whole kill state before routing the first order (fail closed), then runs the chosen processors in this process and prints a status line every second. The operator console listens on 127.0.0.1; its bearer token is RISKCTL_OPERATOR_TOKEN or a generated one in the data directory (0600), whose path is printed. Ctrl+C or SIGTERM stops cleanly, with every position committed.'
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --console-port 8080',
    '<%= config.bin %> up --only aggregator,router',
  ]
  static override profileRefusal =
    'on AWS the processors already run in the deployment, and a second set here would compete with them for the same consumer groups'
  static override flags = {
    'console-port': Flags.integer({ description: 'Port of the operator console on 127.0.0.1', default: 8000, min: 0, max: 65535 }),
    only: Flags.string({ description: 'Run only these components (comma-separated): aggregator, router, detector, console' }),
    topology: Flags.string({ description: 'Detector topology file (default: topologies/detector.json)' }),
    'duplicate-horizon': Flags.string({
      description: 'How long a decided order_id stays a DUPLICATE when re-sent, across restarts (e.g. 30m, 1h, 1d)',
      default: '1h',
      env: 'RISKCTL_DUPLICATE_HORIZON',
    }),
    detector: Flags.string({
      description: 'inprocess, or spark: the Spark job (local[2], Kafka only) in place of the in-process detector',
      options: ['inprocess', 'spark'],
      default: 'inprocess',
    }),
  }

  async run(): Promise<void> {
    const spark = this.flags.detector === 'spark'
    const chosen = parseComponents(this.flags.only)
    const components = spark ? chosen.filter((component) => component !== 'detector') : chosen
    const topologyFile = path.resolve(this.flags.topology ?? DEFAULT_DETECTOR_TOPOLOGY_PATH)
    const settings = loadDetectorTopology(topologyFile)
    const duplicateHorizonMs = parseSpan(this.flags['duplicate-horizon'], '--duplicate-horizon')
    const log = await this.openLog()
    await createAllTopics(log)
    const token = components.includes('console')
      ? resolveOperatorToken(this.settings.backend.dataDir, this.settings.operatorToken)
      : undefined
    const { style } = this.out
    const sparkTask = spark
      ? startSparkDetectorTask({
          backend: this.settings.backend,
          env: this.settings.env,
          topologyFile,
          onLine: (line) => process.stderr.write(`${style.dim('spark |')} ${line}\n`),
        })
      : undefined
    const pipeline = await startPipeline(log, {
      components,
      detectorSettings: settings,
      dataDir: this.settings.backend.dataDir,
      duplicateHorizonMs,
      console: token && { port: this.flags['console-port'], host: '127.0.0.1', token: token.value },
    })
    process.stderr.write(
      `riskctl up: ${[...components, ...(spark ? ['detector (Spark)'] : [])].join(', ')} on the ${log.description}\n`,
    )
    if (pipeline.consoleUrl && token) {
      const where = token.source.type === 'env' ? 'RISKCTL_OPERATOR_TOKEN' : token.source.path
      process.stderr.write(`operator console ${pipeline.consoleUrl} · bearer token in ${where}\n`)
    }
    const interrupt = createInterruptSignal()
    const live = process.stderr.isTTY === true
    const readiness = setInterval(() => {
      if (!pipeline.status().ready) return
      clearInterval(readiness)
      process.stderr.write(`${live ? '\r\u001b[K' : ''}ready: kill state loaded, processing orders\n`)
    }, 20)
    const timer = setInterval(() => {
      const line = renderStatusLine(pipeline.status(), style)
      process.stderr.write(live ? `\r${line}\u001b[K` : `${line}\n`)
    }, 1000)
    try {
      await Promise.race([
        pipeline.done,
        ...(sparkTask ? [sparkTask.done] : []),
        new Promise<void>((resolve) => interrupt.signal.addEventListener('abort', () => resolve(), { once: true })),
      ])
    } finally {
      clearInterval(timer)
      clearInterval(readiness)
      await sparkTask?.stop()
      await pipeline.stop()
      interrupt.dispose()
    }
    await pipeline.done
    if (live) process.stderr.write('\n')
    process.stderr.write(`stopped cleanly: ${renderStatusLine(pipeline.status(), style)}\n`)
  }
}

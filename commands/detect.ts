import path from 'node:path'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { createInterruptSignal } from '../src/cli/interrupt.js'
import { DEFAULT_DETECTOR_TOPOLOGY_PATH, loadDetectorTopology } from '../src/config/detector-topology.js'
import { runInprocessDetector } from '../src/spark/inprocess-detector.js'
import { runSparkDetector } from '../src/spark/spark-detector.js'
import { defaultCheckpoint, PROJECT_ROOT, sparkInstall } from '../src/spark/spark-install.js'

export default class Detect extends BaseCommand<typeof Detect> {
  static override summary = 'Run the risk detector alone, in this process or as the Spark job, until Ctrl+C.'
  static override description =
    'Both engines read orders.v1 and write risk_signals.v1 and one KILL per breach episode to killswitch.commands.v1, judged by the same topology file. inprocess runs on the configured log (embedded or Kafka). spark runs topologies/spark/risk_detector.py with spark-submit --master local[2] from the project virtualenv (install it with scripts/spark/setup.sh) against Kafka, and streams its log here; its KILLs say triggered_by "spark". Ctrl+C stops either cleanly.'
  static override examples = [
    '<%= config.bin %> detect',
    '<%= config.bin %> detect --engine spark --brokers 127.0.0.1:9092',
    '<%= config.bin %> detect --engine spark --brokers 127.0.0.1:9092 --checkpoint .cache/spark-checkpoints/demo',
  ]
  static override flags = {
    engine: Flags.string({
      description: 'Where detection runs',
      options: ['inprocess', 'spark'],
      default: 'inprocess',
    }),
    topology: Flags.string({ description: 'Detector topology file (default: topologies/detector.json)' }),
    checkpoint: Flags.string({
      description: 'Spark checkpoint directory (default: .cache/spark-checkpoints/detect)',
    }),
  }

  async run(): Promise<void> {
    const topologyFile = path.resolve(this.flags.topology ?? DEFAULT_DETECTOR_TOPOLOGY_PATH)
    // Validated here for both engines: a file the CLI rejects must not reach Spark either.
    const settings = loadDetectorTopology(topologyFile)
    const { style } = this.out
    const interrupt = createInterruptSignal()
    try {
      if (this.flags.engine === 'spark') {
        const checkpoint = path.resolve(this.flags.checkpoint ?? defaultCheckpoint(PROJECT_ROOT, 'detect'))
        const result = await runSparkDetector({
          install: sparkInstall(),
          backend: this.settings.backend,
          topologyFile,
          checkpoint,
          env: this.settings.env,
          signal: interrupt.signal,
          onLine: (line) => process.stderr.write(`${style.dim('spark |')} ${line}\n`),
          onStart: () =>
            process.stderr.write(
              `riskctl detect: Spark job, checkpoints in ${checkpoint} (Ctrl+C stops it)\n`,
            ),
        })
        this.finish({ engine: 'spark', checkpoint: result.checkpoint })
      } else {
        const log = await this.openLog()
        process.stderr.write(
          `riskctl detect: in-process detector on the ${log.description} (Ctrl+C stops it)\n`,
        )
        const stats = await runInprocessDetector({
          log,
          settings,
          signal: interrupt.signal,
          onKill: (kill) => process.stderr.write(`${style.red('KILL')} ${kill.scope}: ${kill.reason}\n`),
        })
        this.finish({ engine: 'inprocess', ...stats })
      }
    } finally {
      interrupt.dispose()
    }
  }

  private finish(summary: Record<string, unknown>): void {
    if (this.settings.json) this.out.json(summary)
    else process.stderr.write('stopped cleanly\n')
  }
}

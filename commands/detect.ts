import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { renderDetectStart } from '../src/cli/render-detect.js'
import { runDetector, type DetectEngine, type DetectResult } from '../src/services/detect.js'

export default class Detect extends BaseCommand<typeof Detect, DetectResult> {
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

  async run(): Promise<DetectResult> {
    const { style } = this.out
    const stderr = (text: string): void => void process.stderr.write(`${text}\n`)
    return runDetector({
      engine: this.flags.engine as DetectEngine,
      topologyFile: this.flags.topology,
      checkpoint: this.flags.checkpoint,
      backend: this.settings.backend,
      env: this.settings.env,
      openLog: () => this.openLog(),
      signal: this.stopSignal(),
      onStart: (start) => stderr(renderDetectStart(start)),
      onKill: (kill) => stderr(`${style.red('KILL')} ${kill.scope}: ${kill.reason}`),
      onSparkLine: (line) => stderr(`${style.dim('spark |')} ${line}`),
    })
  }

  protected override render(): void {
    process.stderr.write('stopped cleanly\n')
  }
}

import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { createProgressLine } from '../src/cli/progress-line.js'
import { renderUpEvent, renderUpStopped } from '../src/cli/render-up.js'
import { parseComponents } from '../src/services/pipeline.js'
import { parseSpan } from '../src/time-span.js'
import { runUp, type UpResult } from '../src/services/up.js'

export default class Up extends BaseCommand<typeof Up, UpResult> {
  static override summary = 'Run the detector, aggregator, router and operator console until Ctrl+C.'
  static override description =
    'Creates any missing topic, loads the whole kill state before routing the first order (fail closed), then runs the chosen processors and prints a status line every second. The router, the detector and the audit indexer each run in a process of their own (a crashed one is started again from its last commit); the aggregator and the console run in this one. The operator console listens on 127.0.0.1; its bearer token is RISKCTL_OPERATOR_TOKEN or a generated one in the data directory (0600), whose path is printed. On Kafka with RISKCTL_KAFKA_CREDENTIALS (a 0600 JSON file, as KAFKA_SECURE=1 npm run kafka:start writes it) each processor connects as its own SASL user, so that the broker\'s ACLs hold each to its own topics. Ctrl+C or SIGTERM stops cleanly, with every position committed.'
  static override examples = [
    '<%= config.bin %> up',
    '<%= config.bin %> up --console-port 8080',
    '<%= config.bin %> up --only aggregator,router',
    'RISKCTL_KAFKA_CREDENTIALS=.cache/kafka/run/credentials.json <%= config.bin %> up --brokers 127.0.0.1:9092',
  ]
  static override jsonLines = true
  static override profileRefusal =
    'on AWS the processors already run in the deployment, and a second set here would compete with them for the same consumer groups'
  static override flags = {
    'console-port': Flags.integer({ description: 'Port of the operator console on 127.0.0.1', default: 8000, min: 0, max: 65535 }),
    only: Flags.string({ description: 'Run only these components (comma-separated): aggregator, router, detector, console' }),
    topology: Flags.string({ description: 'Detector topology file (default: topologies/detector.json)' }),
    limits: Flags.string({ description: "The router's pre-trade limits file (default: topologies/limits.json)" }),
    controls: Flags.string({ description: 'How operators\' controls are authorised, e.g. four-eyes unkill (default: topologies/controls.json)' }),
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
    'in-process': Flags.boolean({
      description: 'Run the router, detector and audit indexer on this process\'s event loop instead of a process each (slower; for debugging)',
      default: false,
    }),
  }

  // With --json, stdout is JSON lines: started, ready, a status every second, and stopped last.
  private readonly progress = createProgressLine(process.stderr.isTTY === true)

  async run(): Promise<UpResult> {
    const { settings, out } = this
    return runUp({
      openLog: () => this.openLog(),
      components: parseComponents(this.flags.only),
      sparkDetector: this.flags.detector === 'spark',
      topologyFile: this.flags.topology,
      limitsFile: this.flags.limits,
      controlsFile: this.flags.controls,
      duplicateHorizonMs: parseSpan(this.flags['duplicate-horizon'], '--duplicate-horizon'),
      consolePort: this.flags['console-port'],
      backend: settings.backend,
      env: settings.env,
      envToken: settings.operatorToken,
      signal: this.stopSignal(),
      inProcess: this.flags['in-process'],
      debug: settings.debug,
      onEvent: (event) => (settings.json ? this.jsonLine(event) : renderUpEvent(event, this.progress, out.style)),
      onSparkLine: (line) => process.stderr.write(`${out.style.dim('spark |')} ${line}\n`),
    })
  }

  protected override render(result: UpResult): void {
    renderUpStopped(result, this.progress, this.out.style)
  }
}

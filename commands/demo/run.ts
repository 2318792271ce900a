import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { createInterruptSignal } from '../../src/cli/interrupt.js'
import { loadDetectorTopology } from '../../src/config/detector-topology.js'
import type { DemoVariant } from '../../src/demo/demo-context.js'
import { DemoSession, type AttachedConsole } from '../../src/demo/demo-session.js'
import { runPlainDemo, type DemoResult } from '../../src/demo/run-demo.js'
import { walkthrough } from '../../src/demo/walkthrough.js'
import { operatorTokenMissing } from '../../src/config/profile-settings.js'
import { readOperatorToken } from '../../src/console/operator-token.js'
import { badInput, ExitCode, RiskctlError } from '../../src/errors.js'
import { openEventLog } from '../../src/log/open-log.js'
import { runDemoTui } from '../../src/tui/demo/run-demo-tui.js'

export default class DemoRun extends BaseCommand<typeof DemoRun> {
  static override summary =
    'Run the classroom walkthrough: normal flow, a runaway, the KILL, enforcement, recovery, compaction.'
  static override description =
    "Starts the detector, aggregator, router and operator console itself, on a fresh data dir unless --data-dir is given (with --attach or --profile it drives those that already run instead), and walks through the parts of the 12-minute script: each part says what to explain, runs its actions and prints the riskctl command students can retype. In a terminal it shows the current part above live panes of the five demo topics (as riskctl tail does); --plain, or a stdout that is not a terminal, prints the walkthrough as lines instead. The presenter drives it: Enter next, b back, r rerun, q quit. --auto runs unattended with the script's timings; --speed divides every wait. If an expected effect does not happen (no KILL after the panic), it says so and lists the remedies."
  static override examples = [
    '<%= config.bin %> demo run',
    '<%= config.bin %> demo run --auto --speed 10',
    '<%= config.bin %> demo run --variant short',
    '<%= config.bin %> demo run --variant long --data-dir ./class-data',
    '<%= config.bin %> demo run --auto --plain > demo.log',
    '<%= config.bin %> demo run --attach --data-dir ./class-data   # beside a riskctl up on the same data dir',
    '<%= config.bin %> demo run --profile class   # on the AWS deployment that riskctl deploy --profile class made',
  ]
  // With a profile the walkthrough attaches to the deployment's processors and console.
  static override profileUse = 'connect' as const
  static override flags = {
    auto: Flags.boolean({ description: "Run unattended with the script's timings" }),
    speed: Flags.string({ description: 'Divide every wait by this factor (e.g. 10)', default: '1' }),
    variant: Flags.string({
      description:
        'short (5 min), standard (12 min) or long (20 min: SYMBOL kill, several accounts, throttling, audit queries)',
      options: ['short', 'standard', 'long'],
      default: 'standard',
    }),
    plain: Flags.boolean({
      description: 'Print the walkthrough as lines even in a terminal, without the live screen',
    }),
    attach: Flags.boolean({
      description:
        'Drive processors that already run (riskctl up on this log, or the deployment of --profile, which implies it) through their operator console at RISKCTL_API_URL or the profile\'s, with RISKCTL_OPERATOR_TOKEN or the data dir\'s token, instead of starting its own',
    }),
  }

  async run(): Promise<void> {
    const speed = Number(this.flags.speed)
    if (!Number.isFinite(speed) || speed <= 0) {
      throw badInput('RISKCTL_SPEED_INVALID', `--speed "${this.flags.speed}" is not a positive number.`, [
        'Use e.g. --speed 10.',
      ])
    }
    const parts = walkthrough(this.flags.variant as DemoVariant)
    const settings = this.settings
    const { style } = this.out
    const write = (text: string): void => void process.stdout.write(`${text}\n`)
    const attach = this.flags.attach || settings.deployment !== undefined ? this.attachedConsole() : undefined
    const session = await DemoSession.start({
      openLog: (dataDir) => openEventLog({ ...settings, backend: { ...settings.backend, dataDir } }),
      // Attached, the processors' own data dir: its audit trail and token are the ones that count.
      dataDir: attach ? settings.backend.dataDir : this.flags['data-dir'],
      speed,
      detectorSettings: loadDetectorTopology(),
      envToken: settings.operatorToken,
      attach,
    })
    write(
      style.bold(
        `riskctl demo · ${this.flags.variant} · ${parts.reduce((sum, p) => sum + p.minutes, 0)} minutes at speed 1`,
      ),
    )
    write(
      style.dim(
        `${session.attached ? 'attached to the processors' : 'processors running'} on the ${session.log.description}; operator console ${session.consoleUrl}`,
      ),
    )
    write(
      style.dim(
        `to follow along in another terminal: export RISKCTL_DATA_DIR=${session.dataDir}; riskctl tail`,
      ),
    )
    if (!this.flags.auto && !process.stdin.isTTY)
      write(style.dim('(no terminal on stdin: running unattended)'))
    const interrupt = createInterruptSignal()
    try {
      const keys = process.stdin.isTTY ? process.stdin : undefined
      const result: DemoResult =
        process.stdout.isTTY && !this.flags.plain
          ? await runDemoTui({
              session,
              parts,
              auto: this.flags.auto || keys === undefined,
              color: settings.color,
              signal: interrupt.signal,
            })
          : await runPlainDemo({
              session,
              parts,
              auto: this.flags.auto,
              style,
              write,
              signal: interrupt.signal,
              input: keys,
            })
      write(
        `\n${result.failed.length === 0 ? style.green('Demo finished') : style.yellow('Demo finished with problems')}: ${result.completed}/${parts.length} parts done` +
          (result.failed.length > 0 ? ` · problems in: ${result.failed.join(', ')}` : ''),
      )
      write(
        style.dim(
          `The demo's data stays in ${session.dataDir}: try riskctl state, riskctl audit --account 12345 with RISKCTL_DATA_DIR set to it.`,
        ),
      )
      if (result.failed.length > 0) this.exitWith(ExitCode.unexpected)
    } finally {
      interrupt.dispose()
      await session.close()
    }
  }

  private attachedConsole(): AttachedConsole {
    const { apiUrl, deployment, backend, operatorToken } = this.settings
    if (apiUrl === undefined) {
      throw badInput('RISKCTL_API_URL_MISSING', '--attach needs the operator console of the running processors.', [
        'export RISKCTL_API_URL=http://127.0.0.1:8000   # the console riskctl up serves',
        'or pass --profile NAME for a deployment on AWS',
      ])
    }
    const token = readOperatorToken(backend.dataDir, operatorToken)
    if (token === undefined) {
      if (deployment !== undefined) throw operatorTokenMissing(deployment)
      throw new RiskctlError(`The operator console at ${apiUrl} needs its bearer token, and none was found.`, {
        code: 'RISKCTL_TOKEN_MISSING',
        exitCode: ExitCode.unauthorised,
        suggestions: [
          'export RISKCTL_OPERATOR_TOKEN=...   # or pass the --data-dir of that riskctl up, which keeps its token there',
        ],
      })
    }
    return { consoleUrl: apiUrl, token }
  }
}

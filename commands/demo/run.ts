import { Flags } from '@oclif/core'
import { BaseCommand } from '../../src/cli/base-command.js'
import { renderDemoStart, renderDemoSummary } from '../../src/cli/render-demo.js'
import type { DemoPart, DemoVariant } from '../../src/demo/demo-context.js'
import { hasFailedPart, parseSpeed, runDemo, type DemoRunResult } from '../../src/demo/demo-run.js'
import type { DemoSession } from '../../src/demo/demo-session.js'
import { runPlainDemo, type DemoResult } from '../../src/demo/run-demo.js'
import { ExitCode } from '../../src/errors.js'
import { runDemoTui } from '../../src/tui/demo/run-demo-tui.js'
import { createTailSource } from '../../src/services/tail-source.js'

export default class DemoRun extends BaseCommand<typeof DemoRun, DemoRunResult> {
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
        'short (5 min), standard (12 min) or long (25 min: SYMBOL kill, several accounts, throttling, audit queries, then the pre-trade checks: a fat finger, a price outside the collar, a credit line walked up to a block)',
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

  async run(): Promise<DemoRunResult> {
    const { flags, settings } = this
    const speed = parseSpeed(flags.speed)
    // Taken before the session starts: a Ctrl+C while it starts still closes it cleanly.
    const signal = this.stopSignal()
    return runDemo({
      variant: flags.variant as DemoVariant,
      speed,
      attach: flags.attach,
      dataDir: flags['data-dir'],
      config: settings,
      present: (session, parts) => this.present(session, parts, signal),
      onStart: (start) => this.write(renderDemoStart(start, this.out.style, !flags.auto && !process.stdin.isTTY)),
    })
  }

  /** The demo screen in a terminal (not with --plain or --json), else plain lines; keys drive it from a terminal. */
  private async present(session: DemoSession, parts: readonly DemoPart[], signal: AbortSignal): Promise<DemoResult> {
    const { auto, plain } = this.flags
    const keys = process.stdin.isTTY ? process.stdin : undefined
    if (process.stdout.isTTY && !plain && !this.settings.json) {
      const source = createTailSource(session.log, session.operator)
      return runDemoTui({ session, source, parts, auto: auto || keys === undefined, color: this.settings.color, signal })
    }
    const write = (text: string): void => this.write(text)
    return runPlainDemo({ session, parts, auto, style: this.out.style, write, signal, input: keys })
  }

  protected override render(result: DemoRunResult): void {
    this.write(renderDemoSummary(result, this.out.style))
  }

  protected override exitCodeOf(result: DemoRunResult): ExitCode {
    if (result.interrupted) return ExitCode.interrupted
    return hasFailedPart(result) ? ExitCode.unexpected : ExitCode.ok
  }

  /** The walkthrough's lines: on stdout, or on stderr when stdout is for the --json result. */
  private write(text: string): void {
    const stream = this.settings.json ? process.stderr : process.stdout
    stream.write(`${text}\n`)
  }
}

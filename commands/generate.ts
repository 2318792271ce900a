import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { createProgressLine, type ProgressLine } from '../src/cli/progress-line.js'
import { renderGenerateProgress, renderGenerateSummary, renderLambdaGenerate } from '../src/cli/render-generate.js'
import { LAMBDA_MAX_DURATION_SECONDS } from '../src/cloud/generate-on-lambda.js'
import { generateOnTarget, isLambdaResult, type GenerateResult } from '../src/services/generate-target.js'

export default class Generate extends BaseCommand<typeof Generate, GenerateResult> {
  static override summary = 'Send a paced, reproducible stream of orders to orders.v1.'
  static override description =
    `normal: accounts 10001-10020 spread over AAPL GOOGL MSFT AMZN TSLA NVDA META NFLX and four strategies, 5 orders/s for 600 s by default. panic: one runaway account (12345) hammering TSLA and NVDA with large sizes, 50 orders/s for 120 s by default. Pacing is exact (50/s for 10 s sends 500 orders) and --seed makes the stream reproducible. Ctrl+C stops early and prints the summary.\n\n--target aws asks the generator function of the --profile deployment for the same flow ({mode, account_id, duration_seconds, rate_per_second, seed}) and returns once Lambda has queued it; the run goes on there, for at most ${LAMBDA_MAX_DURATION_SECONDS} s, and --symbol and --strategy are refused.`
  static override examples = [
    '<%= config.bin %> generate --mode normal',
    '<%= config.bin %> generate --mode panic --account 12345 --rate 50 --duration 10',
    '<%= config.bin %> generate --mode normal --rate 200 --duration 30 --seed 7 --json',
    '<%= config.bin %> generate --target aws --profile class --mode panic --account 12345 --duration 60',
  ]
  static override profileUse = 'connect' as const
  static override flags = {
    target: Flags.string({
      description: "Where the generator runs: here, or the --profile deployment's generator function",
      options: ['local', 'aws'],
      default: 'local',
    }),
    mode: Flags.string({ description: 'Order flow to simulate', options: ['normal', 'panic'], default: 'normal' }),
    account: Flags.string({ description: 'Send every order for this account (panic default: 12345)' }),
    symbol: Flags.string({ description: 'Send every order for this symbol' }),
    strategy: Flags.string({ description: 'Send every order for this strategy' }),
    accounts: Flags.integer({
      description: 'normal: spread the flow over this many accounts from 10001 (default 20); at high rates, enough keep each under the detector\'s thresholds',
      min: 1,
      max: 10_000_000,
    }),
    symbols: Flags.integer({ description: 'normal: over this many symbols (default the 8; more add tickers X9, X10, …)', min: 1, max: 100_000 }),
    rate: Flags.integer({ description: 'Orders per second (normal 5, panic 50)', min: 1, max: 1_000_000 }),
    duration: Flags.integer({ description: 'Seconds to run (normal 600, panic 120)', min: 1 }),
    seed: Flags.integer({ description: 'Seed for a reproducible stream (default: random, printed in the summary)' }),
  }

  private progress: ProgressLine | undefined

  async run(): Promise<GenerateResult> {
    const { flags } = this
    const mode = flags.mode === 'panic' ? 'panic' : 'normal'
    const progress = (this.progress = createProgressLine(process.stderr.isTTY && !this.settings.json))
    return generateOnTarget(
      {
        target: flags.target === 'aws' ? 'aws' : 'local',
        mode,
        ratePerSecond: flags.rate,
        durationSeconds: flags.duration,
        seed: flags.seed,
        account: flags.account,
        symbol: flags.symbol,
        strategy: flags.strategy,
        accounts: flags.accounts,
        symbols: flags.symbols,
      },
      {
        openLog: () => this.openLog(),
        deployment: this.settings.deployment,
        signal: this.stopSignal(),
        onProgress: (sent) => progress.update(renderGenerateProgress(mode, sent, this.out.style)),
      },
    )
  }

  protected override render(result: GenerateResult): void {
    this.progress?.end()
    this.out.line(
      isLambdaResult(result)
        ? renderLambdaGenerate(result, this.settings.deployment?.name ?? '', this.out.style)
        : renderGenerateSummary(result, this.out.style),
    )
  }
}

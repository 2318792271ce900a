import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { createInterruptSignal } from '../src/cli/interrupt.js'
import { renderGenerateSummary } from '../src/cli/render-generate.js'
import {
  describeLambdaRequest,
  generateOnLambda,
  LAMBDA_MAX_DURATION_SECONDS,
} from '../src/cloud/generate-on-lambda.js'
import { badInput, interrupted } from '../src/errors.js'
import { generateOrders } from '../src/services/generate.js'

const DEFAULTS = {
  normal: { rate: 5, duration: 600 },
  panic: { rate: 50, duration: 120 },
} as const

export default class Generate extends BaseCommand<typeof Generate> {
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
    rate: Flags.integer({ description: 'Orders per second (normal 5, panic 50)', min: 1, max: 1_000_000 }),
    duration: Flags.integer({ description: 'Seconds to run (normal 600, panic 120)', min: 1 }),
    seed: Flags.integer({ description: 'Seed for a reproducible stream (default: random, printed in the summary)' }),
  }

  async run(): Promise<void> {
    const mode = this.flags.mode === 'panic' ? 'panic' : 'normal'
    if (this.flags.target === 'aws') return this.onLambda(mode)
    const interrupt = createInterruptSignal()
    const style = this.out.style
    const live = process.stderr.isTTY && !this.settings.json
    try {
      const summary = await generateOrders(await this.openLog(), {
        mode,
        ratePerSecond: this.flags.rate ?? DEFAULTS[mode].rate,
        durationSeconds: this.flags.duration ?? DEFAULTS[mode].duration,
        seed: this.flags.seed ?? Math.floor(Math.random() * 2 ** 31),
        account: this.flags.account,
        symbol: this.flags.symbol?.toUpperCase(),
        strategy: this.flags.strategy,
        signal: interrupt.signal,
        onProgress: ({ sent, total, elapsedMs }) => {
          const text = `${style.cyan(mode)} ${sent}/${total} orders · ${(elapsedMs / 1000).toFixed(0)} s`
          process.stderr.write(live ? `\r${text}\u001b[K` : `${text}\n`)
        },
      })
      if (live) process.stderr.write('\n')
      if (this.settings.json) this.out.json(summary)
      else this.out.line(renderGenerateSummary(summary, style))
      if (summary.interrupted) throw interrupted()
    } finally {
      interrupt.dispose()
    }
  }

  private async onLambda(mode: 'normal' | 'panic'): Promise<void> {
    const deployment = this.settings.deployment
    if (deployment === undefined) {
      throw badInput(
        'RISKCTL_PROFILE_REQUIRED',
        '--target aws invokes the generator function of a deployment, and none is named.',
        ['Name it with --profile NAME (or RISKCTL_PROFILE), as riskctl deploy --profile NAME wrote it.'],
      )
    }
    const result = await generateOnLambda(
      { functionName: deployment.generatorFunction, region: deployment.region, profileName: deployment.name },
      {
        mode,
        ratePerSecond: this.flags.rate ?? DEFAULTS[mode].rate,
        durationSeconds: this.flags.duration ?? DEFAULTS[mode].duration,
        account: this.flags.account,
        seed: this.flags.seed,
        symbol: this.flags.symbol,
        strategy: this.flags.strategy,
      },
    )
    if (this.settings.json) return this.out.json(result)
    this.out.line(
      `Asked ${result.functionName} (${result.region}) for ${describeLambdaRequest(result.payload)}.`,
    )
    this.out.line(
      `${this.out.style.green(`queued (HTTP ${result.statusCode})`)}: it runs on AWS for the next ${result.payload.duration_seconds} s. ` +
        `Watch it: riskctl tail orders.v1 --profile ${deployment.name}`,
    )
  }
}

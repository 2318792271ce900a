import { writeFileSync } from 'node:fs'
import { Flags } from '@oclif/core'
import { BaseCommand } from '../src/cli/base-command.js'
import { badInput } from '../src/errors.js'
import { reportCsv } from '../src/render/report-csv.js'
import { reportHtml } from '../src/render/report-html.js'
import { emptyPeriod, reportMarkdown } from '../src/render/report-markdown.js'
import { parsePeriod } from '../src/time-span.js'
import { chartAssets } from '../src/services/report-assets.js'
import { killActivityReport, type KillActivityReport } from '../src/services/report.js'

const FORMATS = ['md', 'html', 'csv', 'json'] as const
type Format = (typeof FORMATS)[number]

export default class Report extends BaseCommand<typeof Report, KillActivityReport> {
  static override summary =
    'The kill activity report of a period: every kill, throttle, limit change and unkill, what each stopped, and whether the log balances.'
  static override description =
    "For the annual review and after an incident: every control the aggregator applied in the period with its scope, reason and who; for each kill and throttle how long it held, the orders it dropped and their notional, and the time from the command's sending (for a detector's kill, the breach) to its first DROP; the reconciliation of the period (riskctl reconcile). --format html writes one self-contained page (it opens offline) with a chart of orders allowed and dropped per second, kills and unkills marked, and one of each kill's time to block; md, csv (one row per control) and json print the same figures. --out writes to a file instead of standard output."
  static override profileUse = 'connect' as const
  static override examples = [
    '<%= config.bin %> report --from 1d',
    '<%= config.bin %> report --from 2026-12-07T09:00:00Z --to 2026-12-07T17:00:00Z --format html --out kills.html',
    '<%= config.bin %> report --from 7d --format csv --out kills.csv',
  ]
  static override flags = {
    from: Flags.string({
      description: 'From this time: ISO, epoch ms, or 30s / 10m / 2h / 1d ago',
      default: '1d',
    }),
    to: Flags.string({ description: 'Up to this time (default: now)' }),
    format: Flags.string({ description: 'md, html, csv or json', options: [...FORMATS], default: 'md' }),
    out: Flags.string({ description: 'Write the report to this file rather than to standard output' }),
  }

  async run(): Promise<KillActivityReport> {
    const now = Date.now()
    const format = this.flags.format as Format
    if (format === 'html' && this.flags.out === undefined && process.stdout.isTTY === true) {
      throw badInput('RISKCTL_FLAG_INVALID', 'An HTML report is a page, not terminal text: give it a file.', [
        'riskctl report --format html --out report.html',
      ])
    }
    const report = await killActivityReport(await this.openLog(), this.settings.backend.dataDir, {
      ...parsePeriod(this.flags.from, this.flags.to, now),
    })
    if (this.flags.out !== undefined) writeFileSync(this.flags.out, formatted(report, format))
    return report
  }

  protected override render(report: KillActivityReport): void {
    const format = this.flags.format as Format
    if (this.flags.out === undefined) {
      this.out.line(formatted(report, format).replace(/\n$/, ''))
      return
    }
    const what = report.empty
      ? emptyPeriod(report)
      : `${report.totals.kills} kill(s), ${report.totals.throttles} throttle(s), ${report.totals.unkills} unkill(s), ${report.totals.orders_dropped} order(s) dropped`
    this.out.line(`Wrote ${this.flags.out} (${format}): ${what}.`)
  }
}

function formatted(report: KillActivityReport, format: Format): string {
  switch (format) {
    case 'md':
      return reportMarkdown(report)
    case 'csv':
      return reportCsv(report.actions, report.episodes)
    case 'html':
      return reportHtml(report, chartAssets())
    case 'json':
      return `${JSON.stringify(report, null, 2)}\n`
  }
}

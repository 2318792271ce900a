import { describe, expect, it } from 'vitest'
import type { ControlAction, ControlEpisode } from '../../../src/domain/kill-activity.js'
import { reportCsv } from '../../../src/render/report-csv.js'
import { reportHtml, type HtmlReportView } from '../../../src/render/report-html.js'
import { reportMarkdown } from '../../../src/render/report-markdown.js'

const T = Date.UTC(2026, 11, 7, 10, 0, 0)
const hostile = '=HYPERLINK("http://x"), "quoted" | piped </script><script>alert(1)</script>\nnext line'

const kill: ControlAction = {
  ts: T,
  action: 'KILL',
  scope: 'ACCOUNT:1',
  corr_id: 'k1',
  cmd_id: 'c1',
  who: 'local:alice',
  reason: hostile,
  sent_ts: T - 5,
}
const episode: ControlEpisode = {
  ...kill,
  before_period: false,
  ended_ts: undefined,
  ended_by: undefined,
  duration_ms: undefined,
  orders_dropped: 3,
  notional_stopped: 1500.5,
  first_drop_ts: T + 7,
  time_to_block_ms: 12,
}

function view(overrides: Partial<HtmlReportView> = {}): HtmlReportView {
  return {
    from: T - 3_600_000,
    to: T + 3_600_000,
    generated_ts: T + 3_600_000,
    empty: false,
    actions: [kill],
    episodes: [episode],
    totals: {
      kills: 1,
      throttles: 0,
      unkills: 0,
      limits_changes: 0,
      orders_dropped: 3,
      notional_stopped: 1500.5,
    },
    reconciliation: { balanced: true, orders: 10, decided: 10, dead_lettered: 0, pending: 0, breaks: 0 },
    audit_chain: { checked: false, why: 'none' },
    rates: [{ start_ms: T, allowed_per_s: 4, dropped_per_s: 1 }],
    bucket_ms: 1000,
    ...overrides,
  }
}

describe('the kill activity report in its forms', () => {
  it('CSV: one row per control, quoted where needed, and a reason a spreadsheet would run made inert', () => {
    const lines = reportCsv([kill], [episode]).split('\r\n')
    expect(lines[0]).toBe(
      'applied,action,scope,by,reason,corr_id,cmd_id,sent,ended,ended_by,held_ms,orders_dropped,notional_stopped,first_drop,time_to_block_ms',
    )
    expect(lines[1]).toContain(
      `,"'=HYPERLINK(""http://x""), ""quoted"" | piped </script><script>alert(1)</script>`,
    )
    expect(reportCsv([kill], [episode])).toContain(',3,1500.5,2026-12-07T10:00:00.007Z,12\r\n')
  })

  it('CSV: a kill still in force at the start first, marked, and two kills of one corr_id and millisecond apart', () => {
    const carried: ControlEpisode = {
      ...episode,
      ts: T - 60_000,
      before_period: true,
      orders_dropped: 9,
      time_to_block_ms: undefined,
    }
    const twin: ControlAction = { ...kill, scope: 'ACCOUNT:2' }
    const csv = reportCsv(
      [kill, twin],
      [carried, episode, { ...episode, scope: 'ACCOUNT:2', orders_dropped: 2 }],
    ).split('\r\n')
    expect(csv[1]).toMatch(/^2026-12-07T09:59:00\.000Z \(before the period\),KILL,ACCOUNT:1,.*,9,/s)
    expect(csv[2]).toMatch(/,KILL,ACCOUNT:1,.*,3,1500\.5,/s)
    expect(csv[3]).toMatch(/,KILL,ACCOUNT:2,.*,2,1500\.5,/s)
  })

  it('Markdown: a table cell cannot end early or break its row', () => {
    const md = reportMarkdown(view())
    const row = md.split('\n').find((line) => line.includes('ACCOUNT:1') && line.includes('HYPERLINK'))!
    expect(row).toContain('\\| piped')
    expect(row).toContain('next line')
  })

  it('HTML: text is escaped and the data cannot close its script element; it loads nothing from elsewhere', () => {
    const html = reportHtml(view(), { script: 'window.uPlot = function () {}', style: '' })
    expect(html).not.toContain('<script>alert(1)')
    expect(html).toContain('&#60;/script&#62;&#60;script&#62;alert(1)')
    const data = /<script type="application\/json" id="report-data">(.*?)<\/script>/s.exec(html)![1]!
    expect(data).not.toContain('<')
    expect(JSON.parse(data).marks).toEqual([{ t: T / 1000, kind: 'KILL', label: 'KILL ACCOUNT:1' }])
    expect(html).toContain("default-src 'none'")
    expect(html).not.toMatch(/(src|href)="https?:/)
  })

  it('lets no control character or markup through to a terminal or a Markdown viewer', () => {
    const nasty = { ...kill, reason: '\u001b]0;pwned\u0007\u001b[2J<img src=x onerror=alert(1)>' }
    const md = reportMarkdown(view({ actions: [nasty], episodes: [{ ...episode, reason: nasty.reason }] }))
    const csv = reportCsv([nasty], [{ ...episode, reason: nasty.reason }])
    for (const text of [md, csv]) {
      expect(text).not.toContain('\u001b')
      expect(text).not.toContain('\u0007')
    }
    expect(md).toContain('\\\\u001b\\]0;pwned')
    expect(md).toContain('&lt;img src=x onerror=alert(1)&gt;')
    expect(csv).toContain('\\u001b]0;pwned')
  })

  it('says so of a period with nothing in it, in every form', () => {
    const empty = view({ empty: true, actions: [], episodes: [], rates: [] })
    expect(reportMarkdown(empty)).toContain(
      'No order was decided and no control was applied between 2026-12-07T09:00:00.000Z and 2026-12-07T11:00:00.000Z.',
    )
    expect(reportHtml(empty, { script: '', style: '' })).toContain(
      'No order was decided and no control was applied',
    )
    expect(reportCsv([], []).split('\r\n').filter(Boolean)).toHaveLength(1)
  })
})

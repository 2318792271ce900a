import type { RateBucket } from '../domain/kill-activity.js'
import { balanceLine, emptyPeriod, type ReportView } from './report-markdown.js'
import { EPISODE_COLUMNS, episodeCells, iso, money } from './report-text.js'

/** The charting library, read by the caller from its package: the page carries it inline, to open offline. */
export interface ChartAssets {
  readonly script: string
  readonly style: string
}

export interface HtmlReportView extends ReportView {
  readonly rates: readonly RateBucket[]
  readonly bucket_ms: number
}

/**
 * The report as one self-contained HTML page: the summary, a chart of orders allowed and dropped per second with
 * each kill and unkill marked, a chart of each kill's time to block, and the tables. No request leaves the page.
 */
export function reportHtml(view: HtmlReportView, assets: ChartAssets): string {
  const title = `Kill activity report ${iso(view.from)} – ${iso(view.to)}`
  const body = view.empty ? `<p class="empty">${escape(emptyPeriod(view))}</p>` : content(view)
  // The data is JSON inside a script element: `<` is written escaped so that no text in it can end the element.
  const data = JSON.stringify(chartData(view)).replace(/</g, '\\u003c')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${escape(title)}</title>
<style>${assets.style}</style>
<style>${PAGE_STYLE}</style>
</head>
<body>
<h1>Kill activity report</h1>
<p class="period">${escape(`${iso(view.from)} – ${iso(view.to)}, generated ${iso(view.generated_ts)}`)}</p>
${body}
<script type="application/json" id="report-data">${data}</script>
<script>${assets.script}</script>
<script>${CHART_SCRIPT}</script>
</body>
</html>
`
}

function content(view: HtmlReportView): string {
  const t = view.totals
  const cards = [
    ['kills', String(t.kills)],
    ['throttles', String(t.throttles)],
    ['unkills', String(t.unkills)],
    ['limits changes', String(t.limits_changes)],
    ['orders dropped', String(t.orders_dropped)],
    ['notional stopped', money(t.notional_stopped)],
  ]
  const per =
    view.bucket_ms === 1000
      ? 'second'
      : view.bucket_ms === 60_000
        ? 'minute (as a rate per second)'
        : 'hour (as a rate per second)'
  return `<section class="cards">${cards.map(([label, value]) => `<div class="card"><div class="value">${escape(value!)}</div><div class="label">${escape(label!)}</div></div>`).join('')}</section>
<ul class="checks">
<li class="${view.reconciliation.balanced ? 'ok' : 'bad'}">Reconciliation: ${escape(balanceLine(view))}</li>
<li class="${view.audit_chain.checked ? 'ok' : 'warn'}">Audit chain: ${escape(view.audit_chain.checked ? 'intact' : `not checked: ${view.audit_chain.why}`)}</li>
</ul>
<h2>Orders allowed and dropped, per ${escape(per)}</h2>
<p class="note">Red lines mark kills, green lines unkills.</p>
<div id="rates" class="chart"></div>
<h2>Time to block, per kill</h2>
<p class="note">From the command's sending (for a detector's kill, the breach) to the first order it dropped.</p>
<div id="blocks" class="chart"></div>
<h2>Kills and throttles</h2>
${view.episodes.length === 0 ? '<p>None in this period.</p>' : table([...EPISODE_COLUMNS], view.episodes.map(episodeCells))}
<h2>Every control applied</h2>
${
  view.actions.length === 0
    ? '<p>None in this period.</p>'
    : table(
        ['applied', 'action', 'scope', 'by', 'reason', 'corr_id'],
        view.actions.map((a) => [iso(a.ts), a.action, a.scope, a.who ?? '', a.reason ?? '', a.corr_id]),
      )
}`
}

/** What the charts draw, in the units uPlot takes (seconds on the time axis). */
function chartData(view: HtmlReportView): unknown {
  return {
    rates: {
      t: view.rates.map((b) => b.start_ms / 1000),
      allowed: view.rates.map((b) => b.allowed_per_s),
      dropped: view.rates.map((b) => b.dropped_per_s),
    },
    marks: view.actions
      .filter((a) => a.action === 'KILL' || a.action === 'UNKILL')
      .map((a) => ({ t: a.ts / 1000, kind: a.action, label: `${a.action} ${a.scope}` })),
    blocks: view.episodes
      .filter((e) => e.action === 'KILL' && e.time_to_block_ms !== undefined)
      .map((e) => ({ t: e.ts / 1000, ms: e.time_to_block_ms, label: e.scope })),
  }
}

function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const head = header.map((h) => `<th>${escape(h)}</th>`).join('')
  const body = rows
    .map((row) => `<tr>${row.map((cell) => `<td>${escape(cell)}</td>`).join('')}</tr>`)
    .join('\n')
  return `<table class="evidence"><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}

/** Large type and high contrast: the page is also shown on a projector. */
const PAGE_STYLE = `
body { font: 16px/1.45 system-ui, sans-serif; margin: 2rem; color: #111; background: #fff; }
h1 { margin-bottom: 0; } .period, .note { color: #444; }
.cards { display: flex; flex-wrap: wrap; gap: 1rem; margin: 1.5rem 0; }
.card { border: 1px solid #ccc; border-radius: 6px; padding: .75rem 1.25rem; min-width: 8rem; }
.card .value { font-size: 1.8rem; font-weight: 600; } .card .label { color: #444; }
.checks li.ok { color: #0a6b2d; } .checks li.bad { color: #b00020; font-weight: 600; } .checks li.warn { color: #8a5a00; }
.chart { margin: 1rem 0 2rem; } .empty { font-size: 1.2rem; }
table.evidence { border-collapse: collapse; margin-bottom: 2rem; } .evidence th, .evidence td { border: 1px solid #ccc; padding: .3rem .6rem; text-align: left; vertical-align: top; }
.evidence th { background: #f2f2f2; }
`

/**
 * Draws the two charts from the page's data and marks the body with how many drew (data-charts), so that a
 * headless browser can tell a drawn page from a blank one.
 */
const CHART_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var drawn = 0;
  var width = Math.min(1100, document.body.clientWidth - 20);
  function marker(marks) {
    return { hooks: { draw: [function (u) {
      var ctx = u.ctx;
      ctx.save();
      marks.forEach(function (m) {
        var x = Math.round(u.valToPos(m.t, 'x', true));
        if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) return;
        ctx.strokeStyle = m.kind === 'KILL' ? '#d00000' : '#00a040';
        ctx.lineWidth = 2 * devicePixelRatio;
        ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
        ctx.fillStyle = ctx.strokeStyle;
        ctx.font = (12 * devicePixelRatio) + 'px sans-serif';
        ctx.fillText(m.label, x + 4 * devicePixelRatio, u.bbox.top + 14 * devicePixelRatio);
      });
      ctx.restore();
    }] } };
  }
  var rates = document.getElementById('rates');
  if (rates && data.rates.t.length > 0) {
    new uPlot({
      width: width, height: 320, plugins: [marker(data.marks)],
      scales: { x: { time: true } },
      axes: [{}, { label: 'orders per second' }],
      series: [{}, { label: 'allowed', stroke: '#1a7f37', width: 2 }, { label: 'dropped', stroke: '#d00000', width: 2 }]
    }, [data.rates.t, data.rates.allowed, data.rates.dropped], rates);
    drawn += 1;
  } else if (rates) { rates.textContent = 'No order was decided in this period.'; }
  var blocks = document.getElementById('blocks');
  if (blocks && data.blocks.length > 0) {
    // One bar per kill, in the order they were applied, named by scope.
    var n = data.blocks.length;
    new uPlot({
      width: width, height: 260,
      scales: { x: { time: false, range: [0.5, n + 0.5] } },
      axes: [
        { splits: function () { return data.blocks.map(function (_, i) { return i + 1; }); }, values: function (u, splits) { return splits.map(function (i) { var b = data.blocks[i - 1]; return b ? b.label : ''; }); } },
        { label: 'ms to the first DROP' }
      ],
      series: [{}, { label: 'time to block (ms)', stroke: '#d00000', fill: 'rgba(208,0,0,0.25)', paths: uPlot.paths.bars({ size: [0.6, 60] }), points: { show: false } }]
    }, [data.blocks.map(function (_, i) { return i + 1; }), data.blocks.map(function (b) { return b.ms; })], blocks);
    drawn += 1;
  } else if (blocks) { blocks.textContent = 'No kill in this period stopped an order.'; }
  document.body.dataset.charts = String(drawn);
})();
`

import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { ChartAssets } from '../render/report-html.js'

/** uPlot as its package ships it, to be carried inline by the HTML report (which must open offline). */
export function chartAssets(): ChartAssets {
  const require = createRequire(import.meta.url)
  const read = (file: string) => readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8')
  // Nothing in a script element may end it early.
  return {
    script: read('uPlot.iife.min.js').replace(/<\/script/gi, '<\\/script'),
    style: read('uPlot.min.css'),
  }
}

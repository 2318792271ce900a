import { readFileSync } from 'node:fs'
import path from 'node:path'
import { expect } from 'vitest'
import { waitFor } from './pipeline.js'
import type { KillState } from '../../src/domain/kill-status.js'
import type { KillActivityReport } from '../../src/services/report.js'
import { runaway, type Cli } from './cli-session.js'

async function stateOf(cli: Cli, scope: string): Promise<KillState | undefined> {
  const result = await cli(['state', '--json'])
  return (JSON.parse(result.stdout) as KillState[]).find((state) => state.scope === scope)
}

/**
 * With `riskctl up` running: a runaway the detector kills, an operator's unkill, and the report of the hour in every
 * form. Returns where the HTML form was written.
 */
export async function reportsAKillAndItsUnkill(cli: Cli, dir: string, operator: string): Promise<string> {
  const normal = cli(['generate', '--mode', 'normal', '--rate', '20', '--duration', '5', '--seed', '31'])
  await runaway(cli, 32)
  await waitFor('the KILL of 12345', async () =>
    (await stateOf(cli, 'ACCOUNT:12345'))?.status === 'KILLED' ? true : undefined,
  )
  expect((await cli(['unkill', 'ACCOUNT:12345', '--reason', 'algo fixed'])).exitCode).toBe(0)
  expect((await normal).exitCode).toBe(0)

  const report = await waitFor('every order decided', async () => {
    const result = await cli(['report', '--from', '1h', '--json'])
    expect(result.exitCode).toBe(0)
    const parsed = JSON.parse(result.stdout) as KillActivityReport
    return parsed.reconciliation.pending === 0 && parsed.reconciliation.orders === 100 + 200
      ? parsed
      : undefined
  })
  expect(report.totals).toMatchObject({ kills: 1, unkills: 1, throttles: 0 })
  expect(report.reconciliation).toMatchObject({ balanced: true, breaks: 0 })
  const [episode] = report.episodes
  expect(episode).toMatchObject({
    action: 'KILL',
    scope: 'ACCOUNT:12345',
    who: 'detector',
    ended_by: `UNKILL by ${operator}`,
  })
  expect(episode!.duration_ms).toBeGreaterThan(0)
  expect(episode!.orders_dropped).toBeGreaterThan(50)
  expect(episode!.orders_dropped).toBe(report.totals.orders_dropped)
  expect(episode!.notional_stopped).toBeGreaterThan(0)
  expect(episode!.time_to_block_ms).toBeGreaterThanOrEqual(0)
  expect(episode!.time_to_block_ms).toBeLessThan(30_000)
  expect(report.rates.some((bucket) => bucket.dropped_per_s > 0)).toBe(true)
  expect(report.rates.some((bucket) => bucket.allowed_per_s > 0)).toBe(true)
  expect(report.actions.map((a) => a.action)).toEqual(['KILL', 'UNKILL'])

  const md = await cli(['report', '--from', '1h'])
  expect(md.stdout).toContain('# Kill activity report')
  expect(md.stdout).toMatch(/\| KILL \| ACCOUNT:12345 \| detector \| Order rate breach: \d+ orders in 60s \|/)
  const csvFile = path.join(dir, 'kills.csv')
  const csv = await cli(['report', '--from', '1h', '--format', 'csv', '--out', csvFile])
  expect(csv.stdout).toContain(`Wrote ${csvFile} (csv): 1 kill(s), 0 throttle(s), 1 unkill(s)`)
  const rows = readFileSync(csvFile, 'utf8').trim().split('\r\n')
  expect(rows).toHaveLength(3)
  expect(rows[1]).toMatch(/,KILL,ACCOUNT:12345,detector,/)
  expect(rows[2]).toContain(`,UNKILL,ACCOUNT:12345,${operator},algo fixed,`)

  const empty = await cli(['report', '--from', '2000-01-01T00:00:00Z', '--to', '2000-01-02T00:00:00Z'])
  expect(empty.exitCode).toBe(0)
  expect(empty.stdout).toContain(
    'No order was decided and no control was applied between 2000-01-01T00:00:00.000Z and 2000-01-02T00:00:00.000Z.',
  )

  const htmlFile = path.join(dir, 'kills.html')
  expect((await cli(['report', '--from', '1h', '--format', 'html', '--out', htmlFile])).exitCode).toBe(0)
  return htmlFile
}

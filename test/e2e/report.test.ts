import os from 'node:os'
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { useCliSession } from '../helpers/cli-session.js'
import { reportsAKillAndItsUnkill } from '../helpers/report-scenario.js'

describe('riskctl report on the embedded log, through the real CLI', { timeout: 180_000 }, () => {
  const session = useCliSession('embedded', ['--console-port', '0'])

  it('reports a detector kill and its unkill in md, csv, json and a self-contained html page', async () => {
    const html = readFileSync(await reportsAKillAndItsUnkill(session.cli, session.dir, `local:${os.userInfo().username}`), 'utf8')
    expect(html).toContain('<title>Kill activity report')
    // The chart library is inline: nothing is fetched when the page opens.
    expect(html).toContain('uPlot')
    expect(html).not.toMatch(/<(script|link)[^>]+(src|href)=/)
  })
})

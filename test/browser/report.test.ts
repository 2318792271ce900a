import os from 'node:os'
import { pathToFileURL } from 'node:url'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { useCliSession } from '../helpers/cli-session.js'
import { reportsAKillAndItsUnkill } from '../helpers/report-scenario.js'
import { launchChromium } from './browser.js'

describe('the HTML kill activity report, opened in headless chromium', { timeout: 180_000 }, () => {
  let browser: Browser
  const session = useCliSession('embedded', ['--console-port', '0'])

  beforeAll(async () => {
    browser = await launchChromium()
  })
  afterAll(async () => {
    await browser.close()
  })

  it('draws both charts offline, with the kill and the unkill marked, and shows the tables', async () => {
    const file = await reportsAKillAndItsUnkill(session.cli, session.dir, `local:${os.userInfo().username}`)
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } })
    const errors: string[] = []
    const requests: string[] = []
    page.on('pageerror', (error) => errors.push(String(error)))
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text())
    })
    // Offline: anything but the file itself is refused, and remembered.
    await page.route('**/*', (route) => {
      const url = route.request().url()
      if (url.startsWith('file:')) return route.continue()
      requests.push(url)
      return route.abort()
    })
    await page.goto(pathToFileURL(file).href)
    await page.waitForSelector('body[data-charts]')
    expect(await page.getAttribute('body', 'data-charts')).toBe('2')
    expect(errors).toEqual([])
    expect(requests).toEqual([])

    // Each chart drew onto its canvas: it holds pixels of the series' colours, not a blank.
    // In the page's own JavaScript (the tests' types know no DOM): per chart, its pixels of the series' colours.
    const coloured = (await page.evaluate(`['rates', 'blocks'].map((id) => {
      const canvas = document.querySelector('#' + id + ' canvas')
      const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data
      let red = 0
      let green = 0
      for (let i = 0; i < pixels.length; i += 4) {
        const [r, g, b, a] = [pixels[i], pixels[i + 1], pixels[i + 2], pixels[i + 3]]
        if (a > 0 && r > 150 && g < 80 && b < 80) red += 1
        if (a > 0 && g > 100 && r < 80 && b < 100) green += 1
      }
      return { id, red, green }
    })`)) as { id: string; red: number; green: number }[]
    const [rates, blocks] = coloured
    // Allowed (green) and dropped (red) lines, and the red KILL and green UNKILL marks across the chart.
    expect(rates!.red).toBeGreaterThan(200)
    expect(rates!.green).toBeGreaterThan(200)
    expect(blocks!.red).toBeGreaterThan(50)
    const marks = (await page.evaluate(
      `JSON.parse(document.getElementById('report-data').textContent).marks`,
    )) as { kind: string; label: string }[]
    expect(marks.map((m) => m.label)).toEqual(['KILL ACCOUNT:12345', 'UNKILL ACCOUNT:12345'])
    const rows = await page.locator('table.evidence').first().locator('tbody tr').allTextContents()
    expect(rows).toHaveLength(1)
    expect(rows[0]).toContain('ACCOUNT:12345')
    expect(rows[0]).toContain('UNKILL by')
    await page.close()
  })
})

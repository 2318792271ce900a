import { describe, expect, it } from 'vitest'
import { paneTitle } from '../../../src/tui/pane-title.js'

describe('paneTitle', () => {
  it('shows focus, topic, count and rate', () => {
    expect(paneTitle('orders.v1', 1234, 4.25, true, 40, false)).toBe('▶ orders.v1 1,234 · 4.3/s')
    expect(paneTitle('orders.v1', 0, 0, false, 40, false)).toBe('  orders.v1 0 · 0.0/s')
  })

  it('gives up the middle of the topic name, not the figures, in a narrow pane', () => {
    const title = paneTitle('killswitch.commands.v1', 12, 150, false, 30, false)
    expect(title).toBe('  killswit…mands.v1 12 · 150/s')
    expect(title).toHaveLength(30)
  })

  it('fills a stacked pane title with a rule to the width', () => {
    const title = paneTitle('audit.v1', 1, 0, false, 30, true)
    expect(title).toMatch(/^ {2}audit\.v1 1 · 0\.0\/s ─+$/)
    expect(title).toHaveLength(30)
  })
})

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import {
  DEFAULT_DETECTOR_TOPOLOGY_PATH,
  detectorTopologySchema,
  loadDetectorTopology,
} from '../../../src/config/detector-topology.js'
import { RiskDetector } from '../../../src/domain/detector.js'
import { isRiskctlError } from '../../../src/errors.js'

const dir = mkdtempSync(path.join(tmpdir(), 'riskctl-topology-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function writeTopology(name: string, content: unknown): string {
  const file = path.join(dir, name)
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content))
  return file
}

function loadError(file: string): Error {
  try {
    loadDetectorTopology(file)
  } catch (error) {
    return error as Error
  }
  throw new Error(`${file} loaded without error`)
}

describe('detector topology', () => {
  const shipped = loadDetectorTopology()

  it('finds topologies/detector.json at the package root', () => {
    expect(DEFAULT_DETECTOR_TOPOLOGY_PATH).toBe(
      path.resolve(import.meta.dirname, '../../../topologies/detector.json'),
    )
  })

  it('ships the agreed settings', () => {
    expect(shipped).toMatchObject({
      windowMs: 60_000,
      slideMs: 1_000,
      allowedLatenessMs: 5_000,
      thresholds: { orderCount: 100, notional: 1_000_000, topSymbolShare: 0.7 },
      concentrationMinOrders: 20,
      symbolRule: { orderCount: 3000 },
      signalIntervalMs: 1_000,
      idleEvictMs: 120_000,
    })
    // The loaded topology is what the detector takes.
    expect(new RiskDetector(shipped).trackedAccounts).toBe(0)
  })

  it('names the file and the bad field', () => {
    const file = writeTopology('bad-field.json', {
      ...shipped,
      thresholds: { ...shipped.thresholds, orderCount: '100' },
    })
    const error = loadError(file)
    expect(error.message).toContain(file)
    expect(error.message).toContain('thresholds.orderCount')
    expect(isRiskctlError(error) && error.code).toBe('RISKCTL_DETECTOR_TOPOLOGY')
  })

  it('rejects a misspelt key instead of ignoring it', () => {
    const file = writeTopology('typo.json', { ...shipped, symbolRule: { orderCount: 300, ordercount: 3 } })
    expect(loadError(file).message).toMatch(/symbolRule.*ordercount/)
  })

  it('rejects a slide that does not divide the window', () => {
    const result = detectorTopologySchema.safeParse({ ...shipped, slideMs: 7_000 })
    expect(result.success).toBe(false)
    expect(result.error?.issues[0]?.path).toEqual(['slideMs'])
  })

  it('says when the file is not JSON or is missing', () => {
    const notJson = writeTopology('not-json.json', '{ windowMs: 60000 ')
    expect(loadError(notJson).message).toMatch(
      new RegExp(`${notJson.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is not valid JSON`),
    )
    const missing = path.join(dir, 'missing.json')
    expect(loadError(missing).message).toContain(`Cannot read detector topology ${missing}`)
  })
})

import path from 'node:path'
import { execa } from 'execa'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuditRecord } from '../../src/domain/audit-record.js'
import type { KillCommand } from '../../src/domain/kill-command.js'
import type { KillState } from '../../src/domain/kill-status.js'
import { KILL_COMMANDS } from '../../topologies/topics.js'
import { createTempDir, RUN_JS } from '../helpers/cli.js'
import { BROKERS, cliJsonOnKafka, readAll, resetRiskctlTopics } from './support.js'

describe('riskctl demo run --auto on Kafka, in a pseudo-terminal', { timeout: 240_000 }, () => {
  let dir: { path: string; remove: () => Promise<void> }
  beforeEach(async () => {
    await resetRiskctlTopics()
    dir = await createTempDir()
  })
  afterEach(async () => dir.remove())

  it('runs the whole walkthrough on the broker: KILL of 12345, audited drops, and ALLOWs restored by the unkill', async () => {
    const dataDir = path.join(dir.path, 'data')
    const brokers = BROKERS.join(',')
    // `script` gives the demo a real terminal, as a presenter's would be.
    const result = await execa(
      'script',
      [
        '-qfec',
        // --plain: the transcript of every part stays on screen, so its lines can be checked.
        `node ${RUN_JS} demo run --auto --plain --speed 50 --brokers ${brokers} --data-dir ${dataDir}`,
        '/dev/null',
      ],
      {
        env: { NO_COLOR: '1', COLUMNS: '120', LINES: '40' },
        reject: false,
        timeout: 180_000,
        stdin: 'ignore',
      },
    )
    // The transcript says which part failed and why.
    expect(result.exitCode, result.stdout).toBe(0)
    expect(result.stdout).toContain('Demo finished: 7/7 parts done')
    expect(result.stdout).toContain('cleanup.policy=compact (TOPIC_CONFIG)')

    const commands = await readAll<KillCommand>(KILL_COMMANDS)
    const kill = commands.find((c) => c.action === 'KILL' && c.scope === 'ACCOUNT:12345')
    const unkill = commands.find((c) => c.action === 'UNKILL' && c.scope === 'ACCOUNT:12345')
    expect(kill?.triggered_by).toBe('detector')
    expect(unkill?.operator).toBe('demo_operator')

    const drops = await cliJsonOnKafka<AuditRecord[]>(
      ['audit', '--account', '12345', '--decision', 'DROP', '--limit', '10000'],
      dataDir,
    )
    expect(drops.length).toBeGreaterThan(0)
    expect(drops.every((a) => a.corr_id === kill!.corr_id)).toBe(true)
    const restored = await cliJsonOnKafka<AuditRecord[]>(['audit', '--corr-id', unkill!.corr_id], dataDir)
    expect(restored.length).toBeGreaterThan(0)
    expect(restored.filter((a) => a.service === 'aggregator').map((a) => a.decision)).toEqual(['APPLIED'])
    const routed = restored.filter((a) => a.service === 'router')
    expect(routed.length).toBeGreaterThan(0)
    expect(routed.every((a) => a.decision === 'ALLOW' && a.account_id === '12345')).toBe(true)
    const state = await cliJsonOnKafka<KillState[]>(['state'], dataDir)
    expect(state.find((s) => s.scope === 'ACCOUNT:12345')?.status).toBe('ACTIVE')
  })
})

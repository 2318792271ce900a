import fs from 'node:fs'
import path from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { createTempDir, runCli, spawnCli } from '../helpers/cli.js'
import { anOrder } from '../helpers/fixtures.js'

const order = (id: string, account: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ ...anOrder({ order_id: id, account_id: account }), ...extra })

const state = (scope: string, status: string, cmd: string) =>
  JSON.stringify({
    scope,
    status,
    updated_ts: Date.now(),
    updated_by: 'alice',
    reason: 'drill',
    last_cmd_id: cmd,
    corr_id: `corr-${cmd}`,
  })

describe('riskctl topics, produce, tail and describe-topic (real CLI, separate processes)', () => {
  let dir: { path: string; remove: () => Promise<void> }
  let dataDir: string

  beforeEach(async () => {
    dir = await createTempDir()
    dataDir = path.join(dir.path, 'data')
    const created = await runCli(['topics', 'create'], { dataDir })
    expect(created.exitCode).toBe(0)
  })
  afterEach(async () => dir.remove())

  it('lists every command with a summary in --help', async () => {
    const help = await runCli(['--help'])
    expect(help.exitCode).toBe(0)
    for (const command of ['describe-topic', 'produce', 'tail', 'topics']) expect(help.stdout).toContain(command)
  })

  it('creates topics idempotently', async () => {
    const again = await runCli(['topics', 'create', '--json'], { dataDir })
    expect(again.exitCode).toBe(0)
    const result = JSON.parse(again.stdout) as { created: string[]; existing: string[] }
    expect(result.created).toEqual([])
    expect(result.existing).toContain('killswitch.state.v1')
  })

  it('produces valid lines, reports invalid ones by line number, and exits 1', async () => {
    const input = [order('o-1', '12345'), '{"order_id":"o-2"}', 'not json', order('o-3', '10001', { qty: -5 }), order('o-4', '10002')].join('\n')
    const produced = await runCli(['produce', 'orders.v1'], { dataDir, input })
    expect(produced.exitCode).toBe(1)
    expect(produced.stderr).toMatch(/line 2:.*account_id/)
    expect(produced.stderr).toMatch(/line 3:.*JSON/)
    expect(produced.stderr).toMatch(/line 4:.*qty/)
    expect(produced.stderr).toContain('2 produced to orders.v1, 3 rejected')

    const tailed = await runCli(['tail', 'orders.v1', '--from', 'beginning', '--no-follow', '--format', 'json'], { dataDir })
    expect(tailed.exitCode).toBe(0)
    const records = tailed.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>)
    expect(records.map((r) => r.key).sort()).toEqual(['10002', '12345'])
    for (const record of records) {
      expect(Object.keys(record)).toEqual(['topic', 'partition', 'offset', 'key', 'timestamp', 'value'])
      expect(record.topic).toBe('orders.v1')
    }
  })

  it('sends lines as they are with --no-validate', async () => {
    const produced = await runCli(['produce', 'orders.v1', '--no-validate'], { dataDir, input: 'not an order\n' })
    expect(produced.exitCode).toBe(0)
    const tailed = await runCli(['tail', 'orders.v1', '--from', 'beginning', '--no-follow', '--json'], { dataDir })
    expect(JSON.parse(tailed.stdout.trim()).value).toBe('not an order')
  })

  it('tails with --key and -n, and from a time', async () => {
    const before = Date.now()
    await runCli(['produce', 'orders.v1'], { dataDir, input: [order('a', '1'), order('b', '2'), order('c', '1'), order('d', '1')].join('\n') })
    const byKey = await runCli(['tail', 'orders.v1', '--from', 'beginning', '--key', '1', '-n', '2', '--json'], { dataDir })
    expect(byKey.exitCode).toBe(0)
    expect(byKey.stdout.trim().split('\n').map((l) => JSON.parse(l).value.order_id)).toEqual(['a', 'c'])
    const fromTime = await runCli(['tail', 'orders.v1', '--from', new Date(before - 1000).toISOString(), '--no-follow', '--json'], { dataDir })
    expect(fromTime.stdout.trim().split('\n')).toHaveLength(4)
    const future = await runCli(['tail', 'orders.v1', '--from', String(Date.now() + 60_000), '--no-follow', '--json'], { dataDir })
    expect(future.stdout.trim()).toBe('')
  })

  it('shows a record produced by another process in a following tail', async () => {
    const tail = spawnCli(['tail', 'orders.v1', '--format', 'json'], { dataDir })
    let output = ''
    const seen = new Promise<void>((resolve) => {
      tail.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString()
        if (output.includes('"o-live"')) resolve()
      })
    })
    // Give the tail time to start at the end before producing.
    await new Promise((resolve) => setTimeout(resolve, 1500))
    const produced = await runCli(['produce', 'orders.v1'], { dataDir, input: order('o-live', '12345') })
    expect(produced.exitCode).toBe(0)
    await seen
    tail.kill('SIGINT')
    const ended = await tail
    expect(ended.exitCode).toBe(130)
    expect(JSON.parse(output.trim().split('\n')[0]!).value.order_id).toBe('o-live')
  })

  it('shows compaction of killswitch.state.v1 in describe-topic', async () => {
    const input = [
      state('ACCOUNT:12345', 'KILLED', 'c1'),
      state('ACCOUNT:12345', 'ACTIVE', 'c2'),
      state('GLOBAL', 'ACTIVE', 'c3'),
      state('ACCOUNT:12345', 'KILLED', 'c4'),
    ].join('\n')
    expect((await runCli(['produce', 'killswitch.state.v1'], { dataDir, input })).exitCode).toBe(0)
    await new Promise((resolve) => setTimeout(resolve, 300))
    const described = await runCli(['describe-topic', 'killswitch.state.v1', '--json'], { dataDir })
    expect(described.exitCode).toBe(0)
    const topic = JSON.parse(described.stdout) as {
      records: number
      distinctKeys: number
      partitions: { endOffset: number }[]
      configs: { name: string; value: string; source: string }[]
    }
    expect(topic.distinctKeys).toBe(2)
    expect(topic.records).toBe(2)
    expect(topic.partitions.reduce((sum, p) => sum + p.endOffset, 0)).toBe(4)
    expect(topic.configs).toContainEqual({ name: 'cleanup.policy', value: 'compact', source: 'TOPIC_CONFIG' })
    const pretty = await runCli(['describe-topic', 'killswitch.state.v1'], { dataDir })
    expect(pretty.stdout).toMatch(/cleanup\.policy\s+compact\s+topic override/)
    expect(pretty.stdout).toContain('2 records · 2 distinct keys')
  })

  it('generates a flow spread over --accounts and --symbols, and refuses them for a panic', async () => {
    const wide = await runCli(['generate', '--rate', '2000', '--duration', '1', '--accounts', '500', '--symbols', '40', '--seed', '5', '--json'], { dataDir })
    expect(wide.exitCode, wide.stderr).toBe(0)
    const summary = JSON.parse(wide.stdout) as { orders: number; accounts: number; bySymbol: Record<string, number> }
    expect(summary.orders).toBe(2000)
    expect(summary.accounts).toBeGreaterThan(450)
    expect(Object.keys(summary.bySymbol)).toHaveLength(40)
    const panic = await runCli(['generate', '--mode', 'panic', '--accounts', '5', '--duration', '1'], { dataDir })
    expect(panic.exitCode).toBe(2)
    expect(panic.stderr).toMatch(/--accounts and --symbols spread the normal flow/)
  })

  it('rejects an unknown topic with exit 2 and the list of topics', async () => {
    for (const args of [['tail', 'orders'], ['describe-topic', 'orders'], ['produce', 'orders']]) {
      const result = await runCli(args, { dataDir, input: '' })
      expect(result.exitCode).toBe(2)
      expect(result.stderr).toContain('Unknown topic "orders"')
      expect(result.stderr).toContain('orders.v1, risk_signals.v1')
    }
    const json = await runCli(['describe-topic', 'nope', '--json'], { dataDir })
    expect(JSON.parse(json.stdout).error.code).toBe('RISKCTL_TOPIC_UNKNOWN')
  })

  it('rejects an unknown flag with the valid ones, and a bad --from with the valid forms', async () => {
    const flag = await runCli(['tail', 'orders.v1', '--frm', 'beginning'], { dataDir })
    expect(flag.exitCode).toBe(2)
    expect(flag.stderr).toContain('--frm')
    const from = await runCli(['tail', 'orders.v1', '--from', 'yesterday'], { dataDir })
    expect(from.exitCode).toBe(2)
    expect(from.stderr).toMatch(/beginning/)
  })

  it('refuses a data directory that is not riskctl, naming it, and leaves it alone', async () => {
    const foreign = path.join(dir.path, 'foreign')
    fs.mkdirSync(foreign)
    fs.writeFileSync(path.join(foreign, 'notes.txt'), 'keep me')
    const result = await runCli(['describe-topic', 'orders.v1', '--data-dir', foreign])
    expect(result.exitCode).toBe(2)
    expect(result.stderr).toContain(foreign)
    expect(fs.readdirSync(foreign)).toEqual(['notes.txt'])
  })

  it('tells the user to create topics when the data dir has none', async () => {
    const fresh = path.join(dir.path, 'fresh')
    const result = await runCli(['describe-topic', 'orders.v1'], { dataDir: fresh })
    expect(result.exitCode).toBe(5)
    expect(result.stderr).toContain('riskctl topics create')
  })
})

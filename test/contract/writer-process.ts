/**
 * A separate writer process for the contract suite: opens the log the environment names (as any
 * riskctl command would), appends `count` records keyed by writer, and prints the metadata of
 * every acknowledged batch as one JSON line, so the parent knows exactly what was acknowledged.
 *   node --import tsx writer-process.ts <topic> <writerId> <count> <batchSize>
 */
import { resolveConfig } from '../../src/config/resolve-config.js'
import { openEventLog } from '../../src/services/open-log.js'

const [topic = '', writerId = 'w', countText = '100', batchText = '10'] = process.argv.slice(2)
const count = Number(countText)
const batchSize = Number(batchText)

const log = await openEventLog(resolveConfig({}, { defaultDataDir: '.riskctl-data' }))
let seq = 0
while (seq < count) {
  const size = Math.min(batchSize, count - seq)
  const records = Array.from({ length: size }, (_, i) => ({
    key: `${writerId}-k${(seq + i) % 5}`,
    value: Buffer.from(JSON.stringify({ writer: writerId, seq: seq + i })),
  }))
  const metadata = await log.produce(topic, records)
  process.stdout.write(`${JSON.stringify(metadata)}\n`)
  seq += size
}
await log.close()
process.stdout.write('done\n')

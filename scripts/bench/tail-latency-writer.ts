/**
 * The other process of the cross-process tail benchmark: appends one record every `intervalMs`,
 * each carrying the time it was acknowledged, so the tailing process can measure the delay.
 *   node --import tsx tail-latency-writer.ts <dataDir> <topic> <count> <intervalMs>
 */
import { openEmbeddedLog } from '../../src/log/embedded/embedded-log.js'

const [dataDir = '', topic = '', countText = '200', intervalText = '10'] = process.argv.slice(2)
const log = await openEmbeddedLog({ dataDir })
for (let seq = 0; seq < Number(countText); seq += 1) {
  await new Promise((resolve) => setTimeout(resolve, Number(intervalText)))
  const sentAt = performance.timeOrigin + performance.now()
  await log.produce(topic, [{ key: 'latency', value: Buffer.from(JSON.stringify({ seq, sentAt })) }])
}
await log.close()

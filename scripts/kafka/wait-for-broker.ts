/**
 * Exits 0 once the broker at argv[2] answers a metadata request, 1 otherwise. kafka.sh calls it
 * in a loop while the broker starts: an open port is not enough, the broker must have joined its
 * own KRaft quorum and be able to serve clients.
 *   node --import tsx scripts/kafka/wait-for-broker.ts 127.0.0.1:9092
 *   node --import tsx scripts/kafka/wait-for-broker.ts 127.0.0.1:9092 --credentials RUN_DIR/credentials.json
 * With --credentials (a secure broker) it signs in as the file's admin: answering means authenticating too.
 */
import { Kafka, logLevel, type SASLOptions } from 'kafkajs'
import { readSecureCredentials } from './secure-credentials-file.js'

const [bootstrap = '127.0.0.1:9092', flag, credentialsFile] = process.argv.slice(2)
let sasl: SASLOptions | undefined
if (flag === '--credentials' && credentialsFile !== undefined) {
  const { admin } = readSecureCredentials(credentialsFile)
  sasl = { mechanism: 'scram-sha-512', username: admin.username, password: admin.password }
}
const kafka = new Kafka({
  clientId: 'riskctl-kafka-probe',
  brokers: [bootstrap],
  connectionTimeout: 1000,
  requestTimeout: 2000,
  retry: { retries: 0 },
  logLevel: logLevel.NOTHING,
  ...(sasl === undefined ? {} : { sasl }),
})
const admin = kafka.admin()
try {
  await admin.connect()
  const cluster = await admin.describeCluster()
  await admin.listTopics()
  process.stdout.write(
    `${JSON.stringify({ clusterId: cluster.clusterId, brokers: cluster.brokers.length })}\n`,
  )
  process.exitCode = cluster.brokers.length > 0 ? 0 : 1
} catch (error) {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`)
  process.exitCode = 1
} finally {
  await admin.disconnect().catch(() => undefined)
}

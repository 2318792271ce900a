import fs from 'node:fs'
import path from 'node:path'
import { credentialsFileSchema, type SaslUser } from '../../src/config/kafka-credentials.js'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import type { EventLog } from '../../src/log/port.js'
import { createAllTopics } from '../../src/services/topics-create.js'
import { resetRiskctlTopics } from './support.js'

/**
 * The secure broker scripts/kafka/test-kafka.sh starts beside the plain one (KAFKA_SECURE=1: SCRAM users, ACLs), its
 * run directory (credentials.json, kafka.log) and the users kafka.sh wrote there.
 */
function required(name: string): string {
  const value = process.env[name]
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set: run the secure suites with npm run test:kafka (it starts the secure broker).`)
  }
  return value
}

export const SECURE_BROKERS = required('RISKCTL_TEST_SECURE_BROKERS').split(',')
export const SECURE_RUN_DIR = required('RISKCTL_TEST_SECURE_RUN_DIR')
export const CREDENTIALS_FILE = path.join(SECURE_RUN_DIR, 'credentials.json')
export const BROKER_LOG = path.join(SECURE_RUN_DIR, 'kafka.log')

export const credentials = credentialsFileSchema.parse(JSON.parse(fs.readFileSync(CREDENTIALS_FILE, 'utf8')))

/** Every user by name (admin, router, …, alice, carol) with its password. */
export const USERS: ReadonlyMap<string, SaslUser> = new Map(
  [credentials.admin!, ...Object.values(credentials.processors), credentials.generator!, ...Object.values(credentials.operators ?? {})].map((user) => [
    user.username,
    { username: user.username, password: user.password },
  ]),
)

export function userNamed(name: string): SaslUser {
  const user = USERS.get(name)
  if (user === undefined) throw new Error(`no user ${name} in ${CREDENTIALS_FILE}`)
  return user
}

/** Every password kafka.sh generated: none may ever show in an output, a log or a command line. */
export const PASSWORDS: readonly string[] = [...USERS.values()].map((user) => user.password)

export function openLogAs(name: string): Promise<EventLog> {
  const { username, password } = userNamed(name)
  return openKafkaLog({ brokers: SECURE_BROKERS, connection: { ssl: false, sasl: { mechanism: 'scram-sha-512', username, password } } })
}

/** The environment of a riskctl command run as this user on the secure broker. */
export function secureEnvAs(name: string): Record<string, string> {
  const { username, password } = userNamed(name)
  return {
    RISKCTL_BROKERS: SECURE_BROKERS.join(','),
    RISKCTL_KAFKA_SASL_MECHANISM: 'scram-sha-512',
    RISKCTL_KAFKA_SASL_USERNAME: username,
    RISKCTL_KAFKA_SASL_PASSWORD: password,
  }
}

/** As admin: every riskctl topic deleted and made again, and the processors' groups gone. The ACLs stay (by name). */
export async function resetSecureTopics(): Promise<void> {
  await resetRiskctlTopics({ brokers: SECURE_BROKERS, sasl: { mechanism: 'scram-sha-512', ...userNamed('admin') } })
  const log = await openLogAs('admin')
  try {
    await createAllTopics(log)
  } finally {
    await log.close()
  }
}

/** The broker log's lines from here on, to find what its authorizer denied while a test ran. */
export function brokerLogMark(): () => string[] {
  const from = fs.statSync(BROKER_LOG).size
  return () => {
    const fd = fs.openSync(BROKER_LOG, 'r')
    try {
      const size = fs.fstatSync(fd).size
      const buffer = Buffer.alloc(Math.max(0, size - from))
      fs.readSync(fd, buffer, 0, buffer.length, from)
      return buffer.toString('utf8').split('\n')
    } finally {
      fs.closeSync(fd)
    }
  }
}

/** StandardAuthorizer's line for a denial: `Principal = User:router is Denied operation = WRITE … on resource = …`. */
export function denials(lines: readonly string[]): string[] {
  return lines.filter((line) => / is Denied operation = /.test(line)).map((line) => line.replace(/^\[[^\]]*\] INFO /, ''))
}

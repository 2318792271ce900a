/**
 * What kafka.sh does as admin once a secure broker answers: riskctl's topics with their own specs (as `riskctl topics
 * create` makes them), then the ACLs of topologies/kafka-grants.ts for every user of the credentials file, and
 * nothing else: a binding left from an earlier table (KAFKA_KEEP_DATA=1) is deleted.
 *   node --import tsx scripts/kafka/secure-setup.ts 127.0.0.1:9092 RUN_DIR/credentials.json
 */
import kafkajs, { type AclEntry } from 'kafkajs'
import { openKafkaLog } from '../../src/log/kafka/kafka-log.js'
import { createAllTopics } from '../../src/services/topics-create.js'
import { GENERATOR_GRANT, OPERATOR_GRANTS, PROCESSOR_GRANTS, PROCESSOR_PRINCIPALS } from '../../topologies/kafka-grants.js'
import { aclKey, aclsOf } from './secure-acls.js'
import { readSecureCredentials } from './secure-credentials-file.js'

const [bootstrap, file] = process.argv.slice(2)
if (bootstrap === undefined || file === undefined) {
  process.stderr.write('usage: secure-setup.ts BOOTSTRAP CREDENTIALS_FILE\n')
  process.exit(2)
}
const credentials = readSecureCredentials(file)
const { admin } = credentials
const sasl = { mechanism: 'scram-sha-512' as const, username: admin.username, password: admin.password }

const log = await openKafkaLog({ brokers: [bootstrap], connection: { ssl: false, sasl } })
try {
  const topics = await createAllTopics(log)
  process.stderr.write(`kafka: topics created ${topics.created.length}, already there ${topics.existing.length}\n`)
} finally {
  await log.close()
}

const wanted: AclEntry[] = [
  ...PROCESSOR_PRINCIPALS.flatMap((principal) => {
    const user = credentials.processors[principal]
    return user === undefined ? [] : aclsOf(user.username, PROCESSOR_GRANTS[principal])
  }),
  ...(credentials.generator === undefined ? [] : aclsOf(credentials.generator.username, GENERATOR_GRANT)),
  ...Object.values(credentials.operators ?? {}).flatMap((user) => aclsOf(user.username, OPERATOR_GRANTS[user.role])),
]

const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs
const client = new kafkajs.Kafka({ clientId: 'riskctl-kafka-setup', brokers: [bootstrap], sasl, logLevel: kafkajs.logLevel.NOTHING }).admin()
await client.connect()
try {
  const { resources } = await client.describeAcls({
    resourceType: AclResourceTypes.ANY,
    resourcePatternType: ResourcePatternTypes.ANY,
    operation: AclOperationTypes.ANY,
    permissionType: AclPermissionTypes.ANY,
  })
  const present = resources.flatMap((resource) =>
    resource.acls.map((acl) => ({
      resourceType: resource.resourceType,
      resourceName: resource.resourceName,
      resourcePatternType: resource.resourcePatternType,
      ...acl,
    })),
  )
  const wantedKeys = new Set(wanted.map(aclKey))
  const stale = present.filter((acl) => !wantedKeys.has(aclKey(acl)))
  if (stale.length > 0) await client.deleteAcls({ filters: stale })
  const presentKeys = new Set(present.map(aclKey))
  const missing = wanted.filter((acl) => !presentKeys.has(aclKey(acl)))
  if (missing.length > 0) await client.createAcls({ acl: missing })
  process.stderr.write(`kafka: ACL bindings ${wanted.length} (${missing.length} new, ${stale.length} removed)\n`)
} finally {
  await client.disconnect()
}

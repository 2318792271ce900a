/**
 * The ACL bindings of topologies/kafka-grants.ts, as kafkajs's admin client takes them. One grant becomes:
 *   READ / WRITE on each topic it names (literal);
 *   DESCRIBE on every riskctl topic, for every user: a broker lists only the topics a user may describe, and without
 *     it a refused write would read "topic does not exist", and `riskctl up` could not tell that all topics exist;
 *   READ on its processor's group (join, commit), WRITE on that group's transactional ids (prefixed);
 *   READ on the groups of its own throwaway readers (prefixed with its user name): no user may join another's.
 * Nothing on the cluster: an idempotent producer needs IDEMPOTENT_WRITE there only for a user that may write to no
 * topic at all (KIP-679), and such a user has nothing to write.
 */
import kafkajs, { type AclEntry } from 'kafkajs'
import { readerGroupPrefix, transactionalIdPrefix } from '../../topologies/groups.js'
import type { KafkaGrant } from '../../topologies/kafka-grants.js'
import { TOPIC_NAMES } from '../../topologies/topics.js'

// kafkajs is CommonJS: its enums are properties of the default export under ESM.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs

export function aclsOf(username: string, grant: KafkaGrant): AclEntry[] {
  const allow = (resourceType: kafkajs.AclResourceTypes, resourceName: string, operation: kafkajs.AclOperationTypes, prefixed = false): AclEntry => ({
    resourceType,
    resourceName,
    resourcePatternType: prefixed ? ResourcePatternTypes.PREFIXED : ResourcePatternTypes.LITERAL,
    principal: `User:${username}`,
    host: '*',
    operation,
    permissionType: AclPermissionTypes.ALLOW,
  })
  return [
    ...TOPIC_NAMES.map((topic) => allow(AclResourceTypes.TOPIC, topic, AclOperationTypes.DESCRIBE)),
    ...grant.read.map((topic) => allow(AclResourceTypes.TOPIC, topic, AclOperationTypes.READ)),
    ...grant.write.map((topic) => allow(AclResourceTypes.TOPIC, topic, AclOperationTypes.WRITE)),
    // Even for a user that reads no topic: a read it tries is then refused for the topic, not for a group.
    allow(AclResourceTypes.GROUP, readerGroupPrefix(username), AclOperationTypes.READ, true),
    ...(grant.group === undefined
      ? []
      : [
          allow(AclResourceTypes.GROUP, grant.group, AclOperationTypes.READ),
          allow(AclResourceTypes.TRANSACTIONAL_ID, transactionalIdPrefix(grant.group), AclOperationTypes.WRITE, true),
        ]),
  ]
}

/** One string per binding, to tell the bindings wanted from those a broker kept from an earlier table. */
export function aclKey(acl: AclEntry): string {
  return [acl.principal, acl.resourceType, acl.resourcePatternType, acl.resourceName, acl.operation, acl.permissionType, acl.host].join('|')
}

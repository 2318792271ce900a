import * as iam from 'aws-cdk-lib/aws-iam'
import { KILL_STATE } from '../topics.js'
import type { RiskctlKafka } from './kafka-cluster.js'
import { READER_GROUPS, transactionalIdPrefix } from './names.js'

/** What one principal may do on the cluster: nothing beyond what its code does. */
export interface KafkaAccess {
  /** Topics it consumes, each with the consumer groups it consumes them in. */
  readonly consume?: readonly { readonly topic: string; readonly groups: readonly string[] }[]
  /** Reads the compacted state topic to its end (kafkajs does it through throwaway reader groups). */
  readonly readsState?: boolean
  /** Other compacted topics it reads to their end, as it reads the state (with readsState, through the same groups). */
  readonly reads?: readonly string[]
  readonly produce?: readonly string[]
  /**
   * A group it commits progress to in its transactions (TriggeredLog), without consuming in it:
   * the group, and the adapter's transactional ids for it.
   */
  readonly commitsTo?: string
  /** Creates and configures these topics (the topics custom resource only). */
  readonly administer?: readonly string[]
}

/**
 * The kafka-cluster:* statements for one role, every one scoped to the cluster, topic and group
 * ARNs it names: router may read orders.v1 and the state and write the audit, gated and dead-letter
 * topics, and nothing else.
 */
export function kafkaStatements(kafka: RiskctlKafka, access: KafkaAccess): iam.PolicyStatement[] {
  const statements = [
    new iam.PolicyStatement({
      sid: 'Connect',
      actions: [
        'kafka-cluster:Connect',
        'kafka-cluster:DescribeCluster',
        // An MSK event source mapping polls with the function's role and reads the cluster's dynamic config.
        ...((access.consume ?? []).length > 0 ? ['kafka-cluster:DescribeClusterDynamicConfiguration'] : []),
      ],
      resources: [kafka.cluster.attrArn],
    }),
  ]
  const readTopics = [
    ...(access.consume ?? []).map((c) => c.topic),
    ...(access.readsState ? [KILL_STATE] : []),
    ...(access.reads ?? []),
  ]
  const groups = [
    ...(access.consume ?? []).flatMap((c) => c.groups),
    ...(access.readsState ? [READER_GROUPS] : []),
    ...(access.commitsTo === undefined ? [] : [access.commitsTo]),
  ]
  if (readTopics.length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'ReadTopics',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: unique(readTopics).map((topic) => kafka.topicArn(topic)),
      }),
      new iam.PolicyStatement({
        sid: 'ConsumerGroups',
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: unique(groups).map((group) => kafka.groupArn(group)),
      }),
    )
  }
  if ((access.produce ?? []).length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'WriteTopics',
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: unique(access.produce ?? []).map((topic) => kafka.topicArn(topic)),
      }),
      // The adapter's producer is idempotent (acks=all, no duplicates on retry).
      new iam.PolicyStatement({
        sid: 'IdempotentWrites',
        actions: ['kafka-cluster:WriteDataIdempotently'],
        resources: [kafka.cluster.attrArn],
      }),
    )
  }
  if (access.commitsTo !== undefined) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'Transactions',
        actions: ['kafka-cluster:DescribeTransactionalId', 'kafka-cluster:AlterTransactionalId'],
        resources: [kafka.transactionalIdArn(`${transactionalIdPrefix(access.commitsTo)}*`)],
      }),
    )
  }
  if ((access.administer ?? []).length > 0) {
    statements.push(
      new iam.PolicyStatement({
        sid: 'AdministerTopics',
        actions: [
          'kafka-cluster:CreateTopic',
          'kafka-cluster:DescribeTopic',
          'kafka-cluster:AlterTopic',
          'kafka-cluster:DescribeTopicDynamicConfiguration',
          'kafka-cluster:AlterTopicDynamicConfiguration',
        ],
        resources: unique(access.administer ?? []).map((topic) => kafka.topicArn(topic)),
      }),
    )
  }
  return statements
}

export function grantKafka(role: iam.IGrantable, kafka: RiskctlKafka, access: KafkaAccess): void {
  for (const statement of kafkaStatements(kafka, access)) role.grantPrincipal.addToPrincipalPolicy(statement)
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)]
}

import { CustomResource, Duration } from 'aws-cdk-lib'
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import type * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import { ManagedKafkaEventSource } from 'aws-cdk-lib/aws-lambda-event-sources'
import * as cr from 'aws-cdk-lib/custom-resources'
import { Construct } from 'constructs'
import { AGGREGATOR_GROUP, ROUTER_GROUP } from '../groups.js'
import {
  APPROVALS,
  AUDIT,
  DEAD_LETTERS,
  KILL_COMMANDS,
  OPERATOR_ACTIONS,
  KILL_STATE,
  ORDERS,
  ORDERS_GATED,
  REFERENCE_PRICES,
  RISK_LIMITS,
  RISK_SIGNALS,
  TOPIC_NAMES,
} from '../topics.js'
import { grantKafka } from './kafka-access.js'
import type { RiskctlKafka } from './kafka-cluster.js'
import type { LambdaCodeSource } from './lambda-code.js'
import { AGGREGATOR_PROGRESS_GROUP, READER_GROUPS, ROUTER_PROGRESS_GROUP } from './names.js'
import { RiskctlFunction } from './riskctl-function.js'

export interface ProcessorFunctionsProps {
  readonly code: LambdaCodeSource
  readonly kafka: RiskctlKafka
  readonly network: { readonly vpc: ec2.IVpc; readonly securityGroup: ec2.ISecurityGroup }
  readonly auditTable: dynamodb.ITable
  readonly stateTable: dynamodb.ITable
}

/**
 * The router and the aggregator, each triggered by an MSK event source mapping in the consumer
 * group it uses in-process; the generator, invoked on demand; and the custom resource that
 * creates the topics before any mapping starts.
 */
export class ProcessorFunctions extends Construct {
  readonly router: lambda.Function
  readonly aggregator: lambda.Function
  readonly generator: lambda.Function
  readonly topics: CustomResource

  constructor(scope: Construct, id: string, props: ProcessorFunctionsProps) {
    super(scope, id)
    const kafkaEnv = {
      RISKCTL_BROKERS: props.kafka.bootstrapBrokers,
      RISKCTL_KAFKA_SSL: '1',
      RISKCTL_KAFKA_SASL_MECHANISM: 'aws-iam',
    }
    const base = { code: props.code, network: props.network }

    const topicsFn = new RiskctlFunction(this, 'TopicsFunction', {
      ...base,
      handler: 'topics',
      description: 'Creates the riskctl topics on MSK from the TopicSpecs',
      timeout: Duration.minutes(5),
      environment: kafkaEnv,
    }).fn
    grantKafka(topicsFn, props.kafka, { administer: TOPIC_NAMES })
    const provider = new cr.Provider(this, 'TopicsProvider', { onEventHandler: topicsFn })
    this.topics = new CustomResource(this, 'Topics', {
      serviceToken: provider.serviceToken,
      resourceType: 'Custom::RiskctlTopics',
      // A change to any spec re-runs the creation (which leaves existing topics as they are).
      properties: { topics: TOPIC_NAMES.join(',') },
    })

    this.router = new RiskctlFunction(this, 'RouterFunction', {
      ...base,
      handler: 'router',
      description: 'Order router: decides each orders.v1 batch against the kill state, limits and reference prices',
      timeout: Duration.minutes(1),
      environment: { ...kafkaEnv, RISKCTL_AUDIT_TABLE: props.auditTable.tableName },
    }).fn
    grantKafka(this.router, props.kafka, {
      consume: [
        { topic: ORDERS, groups: [ROUTER_GROUP] },
        // Read back only on a redelivery, to give the audit index what an earlier delivery decided.
        { topic: AUDIT, groups: [READER_GROUPS] },
      ],
      readsState: true,
      // The limits and prices are read to their end as the kill state is; the day's orders let through, for credit.
      reads: [RISK_LIMITS, REFERENCE_PRICES, ORDERS_GATED],
      produce: [AUDIT, ORDERS_GATED, DEAD_LETTERS, RISK_SIGNALS],
      commitsTo: ROUTER_PROGRESS_GROUP,
    })
    props.auditTable.grantWriteData(this.router)
    this.subscribe(this.router, props.kafka, ORDERS, ROUTER_GROUP, 500)

    this.aggregator = new RiskctlFunction(this, 'AggregatorFunction', {
      ...base,
      handler: 'aggregator',
      description: 'Kill-switch aggregator: the single writer of killswitch.state.v1 and risk_limits.v1',
      timeout: Duration.minutes(1),
      environment: { ...kafkaEnv, RISKCTL_STATE_TABLE: props.stateTable.tableName },
    }).fn
    grantKafka(this.aggregator, props.kafka, {
      consume: [{ topic: KILL_COMMANDS, groups: [AGGREGATOR_GROUP] }],
      readsState: true,
      // The operator-action trail: what vouches for any command but a KILL (operator-voucher.ts). The held requests
      // of four eyes, which it alone writes, as the long-running aggregator does.
      reads: [RISK_LIMITS, OPERATOR_ACTIONS, APPROVALS],
      // killswitch.commands.v1 too: the REVERT_LIMITS of an expired temporary change.
      produce: [KILL_STATE, RISK_LIMITS, APPROVALS, KILL_COMMANDS, AUDIT, DEAD_LETTERS],
      commitsTo: AGGREGATOR_PROGRESS_GROUP,
    })
    props.stateTable.grantWriteData(this.aggregator)
    // One at a time: commands are applied in order, as the single writer must.
    this.subscribe(this.aggregator, props.kafka, KILL_COMMANDS, AGGREGATOR_GROUP, 100)

    this.generator = new RiskctlFunction(this, 'GeneratorFunction', {
      ...base,
      handler: 'generator',
      description: 'Order generator: {mode, account_id, duration_seconds, rate_per_second}',
      timeout: Duration.minutes(15),
      environment: kafkaEnv,
    }).fn
    // Reference prices for the collar before the first order, as `riskctl generate` publishes them.
    grantKafka(this.generator, props.kafka, { produce: [ORDERS, REFERENCE_PRICES] })
  }

  private subscribe(
    fn: lambda.Function,
    kafka: RiskctlKafka,
    topic: string,
    group: string,
    batchSize: number,
  ): void {
    fn.addEventSource(
      new ManagedKafkaEventSource({
        clusterArn: kafka.cluster.attrArn,
        topic,
        consumerGroupId: group,
        startingPosition: lambda.StartingPosition.TRIM_HORIZON,
        batchSize,
        maxBatchingWindow: Duration.seconds(1),
      }),
    )
    // A mapping on a topic that does not exist yet fails to start.
    const mapping = fn.node.findAll().find((child) => child instanceof lambda.EventSourceMapping)
    mapping?.node.addDependency(this.topics)
  }
}

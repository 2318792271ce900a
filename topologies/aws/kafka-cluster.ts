import { ArnFormat, Fn, Stack } from 'aws-cdk-lib'
import type * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as msk from 'aws-cdk-lib/aws-msk'
import * as cr from 'aws-cdk-lib/custom-resources'
import { Construct } from 'constructs'
import { BROKER_COUNT, BROKER_INSTANCE_TYPE, CLUSTER_NAME, KAFKA_VERSION } from './names.js'

export interface KafkaClusterProps {
  readonly vpc: ec2.IVpc
  readonly securityGroup: ec2.ISecurityGroup
  /** MSK public access (SERVICE_PROVIDED_EIPS); MSK only allows it on a cluster that already exists. */
  readonly publicAccess: boolean
}

/**
 * MSK provisioned, IAM auth over TLS only (no plaintext, no unauthenticated clients). aws-cdk-lib
 * has no L2 for MSK, so this is the L1 CfnCluster. Topics are never auto-created: they come from
 * TopicSpecs, through the topics custom resource.
 */
export class RiskctlKafka extends Construct {
  readonly cluster: msk.CfnCluster
  /** The SASL/IAM bootstrap string inside the VPC. */
  readonly bootstrapBrokers: string
  /** The public SASL/IAM bootstrap string, when public access is on. */
  readonly publicBootstrapBrokers: string | undefined

  constructor(scope: Construct, id: string, props: KafkaClusterProps) {
    super(scope, id)
    const configuration = new msk.CfnConfiguration(this, 'Configuration', {
      name: `${CLUSTER_NAME}-config`,
      kafkaVersionsList: [KAFKA_VERSION],
      serverProperties: [
        'auto.create.topics.enable=false',
        // Required for public access; IAM policies, not ACLs, decide who may do what.
        'allow.everyone.if.no.acl.found=false',
        'default.replication.factor=2',
        'min.insync.replicas=1',
        'transaction.state.log.replication.factor=2',
        'transaction.state.log.min.isr=1',
        'offsets.topic.replication.factor=2',
      ].join('\n'),
    })
    this.cluster = new msk.CfnCluster(this, 'Cluster', {
      clusterName: CLUSTER_NAME,
      kafkaVersion: KAFKA_VERSION,
      numberOfBrokerNodes: BROKER_COUNT,
      brokerNodeGroupInfo: {
        instanceType: BROKER_INSTANCE_TYPE,
        clientSubnets: props.vpc.publicSubnets.map((subnet) => subnet.subnetId),
        securityGroups: [props.securityGroup.securityGroupId],
        storageInfo: { ebsStorageInfo: { volumeSize: 10 } },
        connectivityInfo: {
          publicAccess: { type: props.publicAccess ? 'SERVICE_PROVIDED_EIPS' : 'DISABLED' },
        },
      },
      clientAuthentication: { sasl: { iam: { enabled: true } }, unauthenticated: { enabled: false } },
      encryptionInfo: { encryptionInTransit: { clientBroker: 'TLS', inCluster: true } },
      configurationInfo: { arn: configuration.attrArn, revision: 1 },
      enhancedMonitoring: 'PER_TOPIC_PER_PARTITION',
    })

    // CloudFormation does not return the bootstrap brokers; MSK's GetBootstrapBrokers does.
    const fields = [
      'BootstrapBrokerStringSaslIam',
      ...(props.publicAccess ? ['BootstrapBrokerStringPublicSaslIam'] : []),
    ]
    const lookup = new cr.AwsCustomResource(this, 'BootstrapBrokers', {
      onUpdate: {
        service: 'Kafka',
        action: 'getBootstrapBrokers',
        parameters: { ClusterArn: this.cluster.attrArn },
        physicalResourceId: cr.PhysicalResourceId.of(`bootstrap-${fields.length}`),
        outputPaths: fields,
      },
      policy: cr.AwsCustomResourcePolicy.fromSdkCalls({ resources: [this.cluster.attrArn] }),
      installLatestAwsSdk: false,
    })
    this.bootstrapBrokers = lookup.getResponseField('BootstrapBrokerStringSaslIam')
    this.publicBootstrapBrokers = props.publicAccess
      ? lookup.getResponseField('BootstrapBrokerStringPublicSaslIam')
      : undefined
  }

  /** The cluster's UUID, the last part of its ARN, which topic and group ARNs repeat. */
  private get clusterUuid(): string {
    return Fn.select(2, Fn.split('/', this.cluster.attrArn))
  }

  /** arn:...:topic/riskctl/<uuid>/<topic>; a trailing * is a wildcard, as IAM reads it. */
  topicArn(topic: string): string {
    return this.arn('topic', topic)
  }

  groupArn(group: string): string {
    return this.arn('group', group)
  }

  transactionalIdArn(id: string): string {
    return this.arn('transactional-id', id)
  }

  private arn(resource: string, name: string): string {
    return Stack.of(this).formatArn({
      service: 'kafka',
      resource,
      resourceName: Fn.join('/', [CLUSTER_NAME, this.clusterUuid, name]),
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    })
  }
}

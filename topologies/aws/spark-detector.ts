import { Aws, Stack } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as emrs from 'aws-cdk-lib/aws-emrserverless'
import * as iam from 'aws-cdk-lib/aws-iam'
import type * as s3 from 'aws-cdk-lib/aws-s3'
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment'
import { Construct } from 'constructs'
import { KILL_COMMANDS, KILL_STATE, ORDERS, RISK_SIGNALS } from '../topics.js'
import { grantKafka } from './kafka-access.js'
import type { RiskctlKafka } from './kafka-cluster.js'
import { DETECTOR_GROUPS, EMR_RELEASE_LABEL } from './names.js'

export interface SparkDetectorProps {
  readonly kafka: RiskctlKafka
  readonly bucket: s3.IBucket
  readonly network: { readonly vpc: ec2.IVpc; readonly securityGroup: ec2.ISecurityGroup }
  /** A directory holding the job package (entry point and its modules); absent, nothing is uploaded. */
  readonly jobPackageDir?: string | undefined
}

export const JOB_PREFIX = 'spark/job/'
export const CHECKPOINT_PREFIX = 'spark/checkpoints/'
export const LOG_PREFIX = 'spark/logs/'

/**
 * The detector on EMR Serverless: a Spark application that starts when a job is submitted and
 * stops itself when idle, so it costs nothing between classes. The job (started by `riskctl
 * deploy`) runs with a role that may read orders and the state and write only risk signals and
 * kill commands, and its own prefixes of the bucket.
 */
export class SparkDetector extends Construct {
  readonly application: emrs.CfnApplication
  readonly jobRole: iam.Role

  constructor(scope: Construct, id: string, props: SparkDetectorProps) {
    super(scope, id)
    this.application = new emrs.CfnApplication(this, 'Application', {
      name: 'riskctl-detector',
      releaseLabel: EMR_RELEASE_LABEL,
      type: 'SPARK',
      architecture: 'X86_64',
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: 15 },
      maximumCapacity: { cpu: '8 vCPU', memory: '32 GB', disk: '100 GB' },
      networkConfiguration: {
        subnetIds: props.network.vpc.selectSubnets({ subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS })
          .subnetIds,
        securityGroupIds: [props.network.securityGroup.securityGroupId],
      },
    })
    this.jobRole = new iam.Role(this, 'JobRole', {
      assumedBy: new iam.ServicePrincipal('emr-serverless.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': Stack.of(this).formatArn({
              service: 'emr-serverless',
              resource: '/applications',
              resourceName: '*',
            }),
          },
        },
      }),
      description: 'riskctl Spark detector job runs',
    })
    props.bucket.grantRead(this.jobRole, `${JOB_PREFIX}*`)
    props.bucket.grantReadWrite(this.jobRole, `${CHECKPOINT_PREFIX}*`)
    props.bucket.grantReadWrite(this.jobRole, `${LOG_PREFIX}*`)
    grantKafka(this.jobRole, props.kafka, {
      // Spark's Kafka source reads through groups of its own naming, never the adapter's reader groups.
      consume: [
        { topic: ORDERS, groups: DETECTOR_GROUPS },
        { topic: KILL_STATE, groups: DETECTOR_GROUPS },
      ],
      produce: [RISK_SIGNALS, KILL_COMMANDS],
    })
    if (props.jobPackageDir !== undefined) {
      new s3deploy.BucketDeployment(this, 'JobPackage', {
        sources: [s3deploy.Source.asset(props.jobPackageDir)],
        destinationBucket: props.bucket,
        destinationKeyPrefix: JOB_PREFIX,
      })
    }
  }
}

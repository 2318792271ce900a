import { RemovalPolicy } from 'aws-cdk-lib'
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import * as s3 from 'aws-cdk-lib/aws-s3'
import { Construct } from 'constructs'
import { asIBucket, asITable } from './strict-types.js'
import { AUDIT_TTL_ATTRIBUTE } from './names.js'

/**
 * The audit index (queried by account and time, expiring with the audit topic's retention), the
 * state cache (latest state per scope, for dashboards and `doctor`; the router never reads it, the
 * compacted topic stays the source of truth) and the bucket for the Spark job and its checkpoints.
 * Everything is destroyed with the stack: this is a classroom deployment, the audit log of record
 * is the topic.
 */
export class DataStores extends Construct {
  readonly auditTable: dynamodb.ITable
  readonly stateTable: dynamodb.ITable
  readonly bucket: s3.IBucket

  constructor(scope: Construct, id: string) {
    super(scope, id)
    this.auditTable = asITable(
      new dynamodb.Table(this, 'AuditIndex', {
        partitionKey: { name: 'account_id', type: dynamodb.AttributeType.STRING },
        sortKey: { name: 'ts_order', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        timeToLiveAttribute: AUDIT_TTL_ATTRIBUTE,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    )
    this.stateTable = asITable(
      new dynamodb.Table(this, 'StateCache', {
        partitionKey: { name: 'scope', type: dynamodb.AttributeType.STRING },
        billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
        removalPolicy: RemovalPolicy.DESTROY,
      }),
    )
    this.bucket = asIBucket(
      new s3.Bucket(this, 'Artifacts', {
        blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
        encryption: s3.BucketEncryption.S3_MANAGED,
        enforceSSL: true,
        removalPolicy: RemovalPolicy.DESTROY,
        autoDeleteObjects: true,
      }),
    )
  }
}

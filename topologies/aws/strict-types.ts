import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb'
import type * as ec2 from 'aws-cdk-lib/aws-ec2'
import type * as s3 from 'aws-cdk-lib/aws-s3'

/*
 * aws-cdk-lib's classes declare some optional members as `T | undefined` where their own
 * interfaces say `T?`, so under exactOptionalPropertyTypes a Vpc is not an IVpc. These casts
 * bridge exactly that mismatch, once, where each resource is created.
 */
export const asIVpc = (vpc: ec2.Vpc): ec2.IVpc => vpc as ec2.IVpc
export const asITable = (table: dynamodb.Table): dynamodb.ITable => table as dynamodb.ITable
export const asIBucket = (bucket: s3.Bucket): s3.IBucket => bucket as s3.IBucket

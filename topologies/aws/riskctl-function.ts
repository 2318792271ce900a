import type { Duration } from 'aws-cdk-lib'
import * as ec2 from 'aws-cdk-lib/aws-ec2'
import * as lambda from 'aws-cdk-lib/aws-lambda'
import * as logs from 'aws-cdk-lib/aws-logs'
import { Construct } from 'constructs'
import type { HandlerName, LambdaCodeSource } from './lambda-code.js'

export interface RiskctlFunctionProps {
  readonly handler: HandlerName
  readonly code: LambdaCodeSource
  readonly description: string
  readonly timeout: Duration
  readonly environment?: Readonly<Record<string, string>>
  /** Functions that talk to Kafka run in the VPC; the authorizer does not need to. */
  readonly network?: { readonly vpc: ec2.IVpc; readonly securityGroup: ec2.ISecurityGroup }
  readonly memorySize?: number
  readonly paramsAndSecrets?: boolean
}

/** One riskctl handler as a Lambda function, with the settings every one of them shares. */
export class RiskctlFunction extends Construct {
  readonly fn: lambda.Function

  constructor(scope: Construct, id: string, props: RiskctlFunctionProps) {
    super(scope, id)
    const logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_WEEK })
    this.fn = new lambda.Function(this, 'Function', {
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      handler: 'index.handler',
      code: props.code.code(props.handler),
      timeout: props.timeout,
      memorySize: props.memorySize ?? 512,
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        RISKCTL_FUNCTION: props.handler,
        ...props.environment,
      },
      ...(props.network
        ? {
            vpc: props.network.vpc,
            vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_WITH_EGRESS },
            securityGroups: [props.network.securityGroup],
          }
        : {}),
      ...(props.paramsAndSecrets
        ? {
            paramsAndSecrets: lambda.ParamsAndSecretsLayerVersion.fromVersion(
              lambda.ParamsAndSecretsVersions.V1_0_103,
            ),
          }
        : {}),
    })
  }
}

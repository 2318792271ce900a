import { Duration } from 'aws-cdk-lib'
import * as apigw from 'aws-cdk-lib/aws-apigatewayv2'
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers'
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations'
import type * as ec2 from 'aws-cdk-lib/aws-ec2'
import type * as lambda from 'aws-cdk-lib/aws-lambda'
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager'
import { Construct } from 'constructs'
import { APPROVALS, AUDIT, KILL_COMMANDS, OPERATOR_ACTIONS, RISK_LIMITS } from '../topics.js'
import { grantKafka } from './kafka-access.js'
import type { RiskctlKafka } from './kafka-cluster.js'
import type { LambdaCodeSource } from './lambda-code.js'
import { RiskctlFunction } from './riskctl-function.js'

export interface OperatorConsoleProps {
  readonly code: LambdaCodeSource
  readonly kafka: RiskctlKafka
  readonly network: { readonly vpc: ec2.IVpc; readonly securityGroup: ec2.ISecurityGroup }
}

/** The routes of src/console/operator-api.ts; every one but /health needs the bearer token. */
export const CONSOLE_ROUTES = [
  { method: apigw.HttpMethod.GET, path: '/state' },
  { method: apigw.HttpMethod.POST, path: '/kill' },
  { method: apigw.HttpMethod.POST, path: '/unkill' },
  { method: apigw.HttpMethod.POST, path: '/throttle' },
  { method: apigw.HttpMethod.GET, path: '/limits' },
  { method: apigw.HttpMethod.POST, path: '/limits' },
] as const

/**
 * The operator console behind an HTTP API. A Lambda authorizer checks the bearer token against
 * the one in Secrets Manager before any protected route reaches the console, which checks it
 * again. Only the routes the console has exist: anything else is API Gateway's 404.
 */
export class OperatorConsole extends Construct {
  readonly api: apigw.HttpApi
  readonly token: secretsmanager.Secret
  readonly consoleFunction: lambda.Function
  readonly authorizerFunction: lambda.Function

  constructor(scope: Construct, id: string, props: OperatorConsoleProps) {
    super(scope, id)
    this.token = new secretsmanager.Secret(this, 'OperatorToken', {
      description: 'Bearer token of the riskctl operator console',
      generateSecretString: { passwordLength: 43, excludePunctuation: true, includeSpace: false },
    })
    const secretEnv = { RISKCTL_TOKEN_SECRET_ARN: this.token.secretArn }

    this.consoleFunction = new RiskctlFunction(this, 'ConsoleFunction', {
      code: props.code,
      handler: 'console',
      description: 'Operator console: kill, unkill, throttle, state, limits',
      timeout: Duration.seconds(25),
      network: props.network,
      paramsAndSecrets: true,
      environment: {
        ...secretEnv,
        RISKCTL_BROKERS: props.kafka.bootstrapBrokers,
        RISKCTL_KAFKA_SSL: '1',
        RISKCTL_KAFKA_SASL_MECHANISM: 'aws-iam',
      },
    }).fn
    // POST /limits reads risk_limits.v1 before it publishes, then follows it and the aggregator's audits for the answer.
    grantKafka(this.consoleFunction, props.kafka, { produce: [KILL_COMMANDS, OPERATOR_ACTIONS], readsState: true, reads: [RISK_LIMITS, AUDIT, APPROVALS] })
    this.token.grantRead(this.consoleFunction)

    this.authorizerFunction = new RiskctlFunction(this, 'AuthorizerFunction', {
      code: props.code,
      handler: 'authorizer',
      description: 'Checks the operator bearer token',
      timeout: Duration.seconds(5),
      memorySize: 256,
      paramsAndSecrets: true,
      environment: secretEnv,
    }).fn
    this.token.grantRead(this.authorizerFunction)

    const authorizer = new HttpLambdaAuthorizer('BearerToken', this.authorizerFunction, {
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      identitySource: ['$request.header.Authorization'],
      resultsCacheTtl: Duration.minutes(1),
    })
    this.api = new apigw.HttpApi(this, 'Api', {
      description: 'riskctl operator console',
      createDefaultStage: true,
    })
    const integration = new HttpLambdaIntegration('Console', this.consoleFunction)
    this.api.addRoutes({ path: '/health', methods: [apigw.HttpMethod.GET], integration })
    for (const route of CONSOLE_ROUTES) {
      this.api.addRoutes({ path: route.path, methods: [route.method], integration, authorizer })
    }
  }
}

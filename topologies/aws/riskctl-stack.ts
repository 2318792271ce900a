import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib'
import type { Construct } from 'constructs'
import { RiskDashboard } from './dashboard.js'
import { DataStores } from './data-stores.js'
import { RiskctlKafka } from './kafka-cluster.js'
import type { LambdaCodeSource } from './lambda-code.js'
import { RiskctlNetwork } from './network.js'
import { OperatorConsole } from './operator-console.js'
import { ProcessorFunctions } from './processor-functions.js'
import { SparkDetector } from './spark-detector.js'

export interface RiskctlStackProps extends StackProps {
  readonly code: LambdaCodeSource
  /** The Spark job package to upload; absent in tests and dry runs. */
  readonly jobPackageDir?: string | undefined
  /** Laptop access: MSK public access (IAM only) opened to this CIDR. */
  readonly laptopCidr?: string | undefined
}

/** The names of the stack outputs, which `riskctl deploy` copies into the profile. */
export const OUTPUTS = {
  apiUrl: 'ApiUrl',
  bootstrapBrokers: 'BootstrapBrokers',
  publicBootstrapBrokers: 'PublicBootstrapBrokers',
  emrApplicationId: 'EmrApplicationId',
  jobRoleArn: 'JobRoleArn',
  bucket: 'ArtifactsBucket',
  dashboardUrl: 'DashboardUrl',
  generatorFunction: 'GeneratorFunction',
  tokenSecretArn: 'OperatorTokenSecretArn',
  clusterArn: 'ClusterArn',
} as const

/** riskctl on AWS: MSK, the processors on Lambda, the detector on EMR Serverless, the console on API Gateway. */
export class RiskctlStack extends Stack {
  constructor(scope: Construct, id: string, props: RiskctlStackProps) {
    super(scope, id, {
      description: 'riskctl: real-time pre-trade risk control (classroom deployment)',
      ...props,
    })
    const network = new RiskctlNetwork(this, 'Network', { laptopCidr: props.laptopCidr })
    const clients = { vpc: network.vpc, securityGroup: network.clientSecurityGroup }
    const kafka = new RiskctlKafka(this, 'Kafka', {
      vpc: network.vpc,
      securityGroup: network.brokerSecurityGroup,
      publicAccess: props.laptopCidr !== undefined,
    })
    const data = new DataStores(this, 'Data')
    const processors = new ProcessorFunctions(this, 'Processors', {
      code: props.code,
      kafka,
      network: clients,
      auditTable: data.auditTable,
      stateTable: data.stateTable,
    })
    const console = new OperatorConsole(this, 'Console', { code: props.code, kafka, network: clients })
    const detector = new SparkDetector(this, 'Detector', {
      kafka,
      bucket: data.bucket,
      network: clients,
      jobPackageDir: props.jobPackageDir,
    })
    const dashboard = new RiskDashboard(this, 'Dashboard', {
      router: processors.router,
      aggregator: processors.aggregator,
      functions: [processors.router, processors.aggregator, processors.generator, console.consoleFunction],
    })

    const output = (name: string, value: string, description: string) =>
      new CfnOutput(this, name, { value, description })
    output(OUTPUTS.apiUrl, console.api.apiEndpoint, 'Operator console (bearer token in the secret below)')
    output(
      OUTPUTS.bootstrapBrokers,
      kafka.bootstrapBrokers,
      'MSK bootstrap brokers, SASL/IAM over TLS, inside the VPC',
    )
    if (kafka.publicBootstrapBrokers !== undefined) {
      output(
        OUTPUTS.publicBootstrapBrokers,
        kafka.publicBootstrapBrokers,
        'MSK bootstrap brokers for the laptop (public, IAM)',
      )
    }
    output(
      OUTPUTS.emrApplicationId,
      detector.application.attrApplicationId,
      'EMR Serverless application of the detector',
    )
    output(OUTPUTS.jobRoleArn, detector.jobRole.roleArn, 'Execution role of the detector job runs')
    output(OUTPUTS.bucket, data.bucket.bucketName, 'Spark job package, checkpoints and logs')
    output(OUTPUTS.dashboardUrl, dashboard.url, 'CloudWatch dashboard')
    output(OUTPUTS.generatorFunction, processors.generator.functionName, 'Order generator function')
    output(OUTPUTS.tokenSecretArn, console.token.secretArn, 'Secret holding the operator bearer token')
    output(OUTPUTS.clusterArn, kafka.cluster.attrArn, 'MSK cluster')
  }
}

import type { Profile } from './profile-store.js'
import { badInput, ExitCode, RiskctlError } from '../errors.js'

/** What commands need of an AWS deployment, from the profile `riskctl deploy` wrote. Holds no secret. */
export interface DeploymentSettings {
  readonly name: string
  /** The profile file, for messages. */
  readonly file: string
  readonly region: string
  readonly apiUrl: string
  readonly generatorFunction: string
  readonly tokenSecretArn: string
  /** MSK's public bootstrap brokers (IAM over TLS); absent when it was deployed without --laptop-access. */
  readonly publicBrokers: readonly string[] | undefined
}

export function deploymentSettings(profile: Profile, file: string): DeploymentSettings {
  const brokers = splitBrokers(profile.outputs.publicBootstrapBrokers)
  return Object.freeze({
    name: profile.name,
    file,
    region: profile.region,
    apiUrl: profile.outputs.apiUrl,
    generatorFunction: profile.outputs.generatorFunction,
    tokenSecretArn: profile.outputs.tokenSecretArn,
    publicBrokers: brokers.length === 0 ? undefined : Object.freeze(brokers),
  })
}

/**
 * How a laptop authenticates to the deployment's MSK, as the variables kafkaConnectionFromEnv
 * reads, so that a profile and a hand-set environment go through one parser: TLS, and SASL with
 * IAM signed for the profile's region (MSK's public listener accepts nothing else). They are
 * defaults only: a variable the environment sets wins.
 */
export function profileKafkaEnv(deployment: DeploymentSettings): Readonly<Record<string, string>> {
  return {
    RISKCTL_KAFKA_SSL: '1',
    RISKCTL_KAFKA_SASL_MECHANISM: 'aws-iam',
    RISKCTL_AWS_REGION: deployment.region,
  }
}

export function splitBrokers(text: string | undefined): string[] {
  return (text ?? '')
    .split(',')
    .map((broker) => broker.trim())
    .filter((broker) => broker !== '')
}

/** The one wording for a profile that is not there, whichever command looked for it. */
export function profileNotFound(name: string, file: string): RiskctlError {
  return badInput(
    'RISKCTL_PROFILE_NOT_FOUND',
    `There is no riskctl profile "${name}": ${file} does not exist.`,
    [
      `riskctl deploy --profile ${name} creates the deployment and writes it (--dry-run shows the plan and the cost first).`,
    ],
  )
}

/** For commands that need the log when the profile's MSK has no public listener. */
export function clusterIsPrivate(deployment: DeploymentSettings): RiskctlError {
  return new RiskctlError(
    `The MSK cluster of profile "${deployment.name}" is private to its VPC: it was deployed without --laptop-access.`,
    {
      code: 'RISKCTL_MSK_PRIVATE',
      exitCode: ExitCode.precondition,
      suggestions: [
        `riskctl deploy --profile ${deployment.name} --laptop-access <your-ip>/32 opens it to your address only (IAM auth over TLS).`,
        'kill, unkill, throttle and generate --target aws work without it: they go through AWS APIs.',
      ],
    },
  )
}

/** The console on AWS takes the token generated into Secrets Manager at deploy time; riskctl never stores it. */
export function operatorTokenMissing(deployment: DeploymentSettings): RiskctlError {
  return new RiskctlError(
    `The operator console of profile "${deployment.name}" needs its bearer token, and RISKCTL_OPERATOR_TOKEN is not set.`,
    {
      code: 'RISKCTL_TOKEN_MISSING',
      exitCode: ExitCode.unauthorised,
      suggestions: [
        `export RISKCTL_OPERATOR_TOKEN="$(aws secretsmanager get-secret-value --region ${deployment.region} --secret-id ${deployment.tokenSecretArn} --query SecretString --output text)"`,
      ],
    },
  )
}

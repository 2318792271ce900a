import { OUTPUTS } from '../../topologies/aws/riskctl-stack.js'
import { RiskctlError, ExitCode } from '../errors.js'
import type { Profile } from '../config/profile-store.js'

/** The stack's outputs, by CloudFormation output name, as the profile keeps them. */
export function profileOutputs(outputs: Readonly<Record<string, string>>): Profile['outputs'] {
  const required = (key: keyof typeof OUTPUTS): string => {
    const value = outputs[OUTPUTS[key]]
    if (value === undefined || value === '') {
      throw new RiskctlError(`The deployed stack has no ${OUTPUTS[key]} output.`, {
        code: 'RISKCTL_DEPLOY_FAILED',
        exitCode: ExitCode.unavailable,
        suggestions: ['Run riskctl deploy again; if it persists, the stack was changed outside riskctl.'],
      })
    }
    return value
  }
  const publicBrokers = outputs[OUTPUTS.publicBootstrapBrokers]
  return {
    apiUrl: required('apiUrl'),
    bootstrapBrokers: required('bootstrapBrokers'),
    ...(publicBrokers ? { publicBootstrapBrokers: publicBrokers } : {}),
    emrApplicationId: required('emrApplicationId'),
    jobRoleArn: required('jobRoleArn'),
    bucket: required('bucket'),
    dashboardUrl: required('dashboardUrl'),
    generatorFunction: required('generatorFunction'),
    tokenSecretArn: required('tokenSecretArn'),
    clusterArn: required('clusterArn'),
  }
}

import type { Profile } from '../../src/config/profile-store.js'

/** A profile as riskctl deploy writes it, for a deployment named "class" in eu-west-1. */
export function sampleProfile(outputs: Partial<Profile['outputs']> = {}): Profile {
  return {
    name: 'class',
    region: 'eu-west-1',
    stackName: 'Riskctl',
    deployedAt: '2026-11-25T09:00:00.000Z',
    laptopCidr: '203.0.113.7/32',
    outputs: {
      apiUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com',
      bootstrapBrokers: 'b-1.riskctl.internal:9098,b-2.riskctl.internal:9098',
      publicBootstrapBrokers: 'b-1-public.riskctl.example:9198, b-2-public.riskctl.example:9198',
      emrApplicationId: 'app',
      jobRoleArn: 'arn:aws:iam::123456789012:role/job',
      bucket: 'bucket',
      dashboardUrl: 'https://dashboard',
      generatorFunction: 'Riskctl-GeneratorFunction-abc',
      tokenSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:OperatorToken-abc',
      clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/riskctl/uuid',
      ...outputs,
    },
  }
}

/** The same deployment made without laptop access: its MSK has no public listener. */
export function privateProfile(outputs: Partial<Profile['outputs']> = {}): Profile {
  const profile = sampleProfile(outputs)
  const { publicBootstrapBrokers: _omitted, ...rest } = profile.outputs
  const { laptopCidr: _none, ...fields } = profile
  return { ...fields, outputs: rest }
}

import { App } from 'aws-cdk-lib'
import { bundledCode, stubCode } from './lambda-code.js'
import { STACK_NAME } from './names.js'
import { RiskctlStack } from './riskctl-stack.js'

/**
 * The CDK app as a program, for `cdk synth --app 'npx tsx topologies/aws/app.ts'` and the cfn-lint
 * script. Context: bundleDir (else stub code), jobPackageDir, laptopCidr. `riskctl deploy` builds
 * the same stack in-process through src/cloud/assembly.ts.
 */
const app = new App()
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key)
  return typeof value === 'string' && value !== '' ? value : undefined
}
const bundleDir = context('bundleDir')
new RiskctlStack(app, STACK_NAME, {
  code: bundleDir === undefined ? stubCode() : bundledCode(bundleDir),
  jobPackageDir: context('jobPackageDir'),
  laptopCidr: context('laptopCidr'),
})
app.synth()

import { App } from 'aws-cdk-lib'
import { bundledCode, stubCode } from '../../topologies/aws/lambda-code.js'
import { STACK_NAME } from '../../topologies/aws/names.js'
import { RiskctlStack } from '../../topologies/aws/riskctl-stack.js'

export interface StackOptions {
  /** The esbuild bundles (see bundle.ts); absent, the functions get placeholder code (plans, tests, lint). */
  readonly bundleDir?: string | undefined
  readonly jobPackageDir?: string | undefined
  readonly laptopCidr?: string | undefined
  readonly account?: string | undefined
  readonly region?: string | undefined
}

/** A CloudFormation template, as far as riskctl reads one. */
export interface Template {
  readonly Resources: Readonly<Record<string, { readonly Type: string; readonly Properties?: unknown }>>
  readonly Outputs?: Readonly<Record<string, unknown>>
}

/** Builds the riskctl app into `outdir`; the same stack whether it is planned, linted or deployed. */
export function buildApp(
  outdir: string | undefined,
  options: StackOptions,
): { app: App; stack: RiskctlStack } {
  const app = new App(outdir === undefined ? {} : { outdir })
  const env = {
    ...(options.account === undefined ? {} : { account: options.account }),
    ...(options.region === undefined ? {} : { region: options.region }),
  }
  const stack = new RiskctlStack(app, STACK_NAME, {
    code: options.bundleDir === undefined ? stubCode() : bundledCode(options.bundleDir),
    jobPackageDir: options.jobPackageDir,
    laptopCidr: options.laptopCidr,
    ...(Object.keys(env).length > 0 ? { env } : {}),
  })
  return { app, stack }
}

/** Synthesises in memory, with no credentials and nothing built: what `deploy --dry-run` plans from. */
export function synthTemplate(options: StackOptions = {}): Template {
  const { app } = buildApp(undefined, options)
  const assembly = app.synth()
  return assembly.getStackByName(STACK_NAME).template as Template
}

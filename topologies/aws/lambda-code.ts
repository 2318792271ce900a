import path from 'node:path'
import * as lambda from 'aws-cdk-lib/aws-lambda'

/** Every Lambda handler riskctl deploys; each is one file under src/lambda/. */
export const HANDLERS = ['router', 'aggregator', 'console', 'authorizer', 'topics', 'generator'] as const
export type HandlerName = (typeof HANDLERS)[number]

/** Where each function's code comes from: the esbuild bundles for a deploy, a stub for tests. */
export interface LambdaCodeSource {
  code(handler: HandlerName): lambda.Code
}

/** The bundles src/cloud/bundle.ts wrote: <dir>/<handler>/index.mjs. */
export function bundledCode(dir: string): LambdaCodeSource {
  return { code: (handler) => lambda.Code.fromAsset(path.join(dir, handler)) }
}

/**
 * A placeholder that synthesises without building anything: for template tests, `--dry-run` and
 * cfn-lint, which look at the template, never at the code.
 */
export function stubCode(): LambdaCodeSource {
  return {
    code: (handler) => lambda.Code.fromInline(`exports.handler = async () => ({ stub: '${handler}' })`),
  }
}

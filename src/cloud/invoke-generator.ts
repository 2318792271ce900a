import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda'
import type { GeneratorPayload } from './generator-payload.js'
import type { AwsClientOptions } from './emr-jobs.js'

/**
 * The request `riskctl generate --target aws` sends: the seed's payload to the generator
 * function, asynchronously (a run lasts longer than a CLI should block on an HTTP call).
 */
export function generatorInvocation(functionName: string, payload: GeneratorPayload): InvokeCommand {
  return new InvokeCommand({
    FunctionName: functionName,
    InvocationType: 'Event',
    Payload: Buffer.from(JSON.stringify(payload)),
  })
}

export async function invokeGenerator(
  options: AwsClientOptions & { readonly functionName: string },
  payload: GeneratorPayload,
  client: Pick<LambdaClient, 'send'> = new LambdaClient({
    region: options.region,
    ...(options.awsProfile === undefined ? {} : { profile: options.awsProfile }),
    ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
  }),
): Promise<{ readonly statusCode: number }> {
  const response = await client.send(generatorInvocation(options.functionName, payload))
  return { statusCode: response.StatusCode ?? 0 }
}

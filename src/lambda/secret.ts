import { processEnvironment, type Environment } from '../config/environment.js'

/**
 * Reads a secret through the AWS Parameters and Secrets Lambda extension (a layer the stack adds):
 * a local HTTP call with the function's own session token, cached by the extension, and no SDK in
 * the bundle.
 */
export async function readSecret(
  secretId: string,
  env: Environment = processEnvironment(),
  fetcher: typeof fetch = fetch,
): Promise<string> {
  const port = env.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT ?? '2773'
  const response = await fetcher(
    `http://localhost:${port}/secretsmanager/get?secretId=${encodeURIComponent(secretId)}`,
    {
      headers: { 'X-Aws-Parameters-Secrets-Token': env.AWS_SESSION_TOKEN ?? '' },
    },
  )
  if (!response.ok) throw new Error(`the secret could not be read (HTTP ${response.status})`)
  const body = (await response.json()) as { SecretString?: unknown }
  if (typeof body.SecretString !== 'string' || body.SecretString.trim() === '')
    throw new Error('the secret is empty')
  return body.SecretString.trim()
}

let cached: { readonly id: string; readonly value: Promise<string> } | undefined

/** The operator token, read once per container; a failed read is retried on the next call. */
export function operatorTokenSecret(
  env: Environment = processEnvironment(),
): Promise<string> {
  const id = env.RISKCTL_TOKEN_SECRET_ARN
  if (id === undefined || id === '') return Promise.reject(new Error('RISKCTL_TOKEN_SECRET_ARN is not set'))
  if (cached?.id !== id) {
    const value = readSecret(id, env)
    cached = { id, value }
    value.catch(() => {
      if (cached?.value === value) cached = undefined
    })
  }
  return cached.value
}

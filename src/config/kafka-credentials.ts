import path from 'node:path'
import { z } from 'zod'
import { OPERATOR_ROLES, PROCESSOR_PRINCIPALS, type ProcessorPrincipal } from '../../topologies/kafka-grants.js'
import { badInput } from '../errors.js'
import { readSecretFile } from './secret-file.js'

/** The variable that names the file; read by `riskctl up` only, which hands each processor its own user. */
export const CREDENTIALS_VARIABLE = 'RISKCTL_KAFKA_CREDENTIALS'

const saslUserSchema = z.object({ username: z.string().trim().min(1), password: z.string().min(1) })

/**
 * The file `KAFKA_SECURE=1 npm run kafka:start` writes (KAFKA_RUN_DIR/credentials.json), and what `riskctl up` reads:
 * one SASL user per processor; the admin, the generator and the operators are there for people and scripts.
 */
export const credentialsFileSchema = z.object({
  mechanism: z.enum(['scram-sha-512', 'plain']).default('scram-sha-512'),
  admin: saslUserSchema.optional(),
  processors: z.partialRecord(z.enum(PROCESSOR_PRINCIPALS), saslUserSchema),
  generator: saslUserSchema.optional(),
  operators: z.record(z.string(), saslUserSchema.extend({ role: z.enum(OPERATOR_ROLES) })).optional(),
})
export type CredentialsFile = z.input<typeof credentialsFileSchema>
export type SaslUser = z.infer<typeof saslUserSchema>

export interface KafkaCredentials {
  readonly file: string
  readonly mechanism: 'scram-sha-512' | 'plain'
  readonly processors: Readonly<Partial<Record<ProcessorPrincipal, SaslUser>>>
}

/**
 * RISKCTL_KAFKA_CREDENTIALS, read and checked: undefined when unset. The file must be its owner's alone (exit 4
 * otherwise, as for every secret file); a missing or malformed one is exit 2. No message quotes the file's content:
 * a JSON parser's message would show the text around the fault, which may be a password.
 */
export function kafkaCredentialsFromEnv(env: Readonly<Record<string, string | undefined>>): KafkaCredentials | undefined {
  const named = env[CREDENTIALS_VARIABLE]?.trim()
  if (named === undefined || named === '') return undefined
  const file = path.resolve(named)
  const text = readSecretFile(file)
  if (text === undefined) throw invalid(`${CREDENTIALS_VARIABLE} names ${file}, which does not exist.`)
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch {
    throw invalid(`${file} (${CREDENTIALS_VARIABLE}) is not valid JSON.`)
  }
  const parsed = credentialsFileSchema.safeParse(json)
  if (!parsed.success) {
    // Where and what kind of fault only: zod may quote an offending value, and that value may be a secret.
    const where = parsed.error.issues.map((issue) => issue.path.join('.') || '(the top level)')
    throw invalid(`${file} (${CREDENTIALS_VARIABLE}) is not a credentials file: check ${[...new Set(where)].join(', ')}.`)
  }
  return { file, mechanism: parsed.data.mechanism, processors: parsed.data.processors }
}

/** The user a processor connects as; a file without it cannot run that processor (exit 2, before anything starts). */
export function processorUser(credentials: KafkaCredentials, principal: ProcessorPrincipal): SaslUser {
  const user = credentials.processors[principal]
  if (user === undefined) {
    throw invalid(`${credentials.file} (${CREDENTIALS_VARIABLE}) has no user for the ${principal}, which this riskctl up runs.`)
  }
  return user
}

/**
 * The environment a processor runs with: the command's own, with its SASL settings replaced by this processor's user
 * and the credentials file left out, so that a processor's process holds its own password and nobody else's.
 */
export function environmentAs(
  env: Readonly<Record<string, string | undefined>>,
  credentials: KafkaCredentials,
  principal: ProcessorPrincipal,
): Record<string, string | undefined> {
  const user = processorUser(credentials, principal)
  const { [CREDENTIALS_VARIABLE]: _file, ...own } = env
  return {
    ...own,
    RISKCTL_KAFKA_SASL_MECHANISM: credentials.mechanism,
    RISKCTL_KAFKA_SASL_USERNAME: user.username,
    RISKCTL_KAFKA_SASL_PASSWORD: user.password,
  }
}

function invalid(message: string) {
  return badInput('RISKCTL_KAFKA_CREDENTIALS_INVALID', message, [
    'Point RISKCTL_KAFKA_CREDENTIALS at the file KAFKA_SECURE=1 npm run kafka:start wrote (KAFKA_RUN_DIR/credentials.json), or one of the same shape (README: "A secure broker").',
  ])
}

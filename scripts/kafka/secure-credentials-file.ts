import { credentialsFileSchema, type SaslUser } from '../../src/config/kafka-credentials.js'
import { readSecretFile } from '../../src/config/secret-file.js'

/** The secure broker's credentials.json, with its admin: what the broker scripts sign in as. */
export function readSecureCredentials(file: string): ReturnType<typeof credentialsFileSchema.parse> & { admin: SaslUser } {
  const text = readSecretFile(file)
  if (text === undefined) throw new Error(`${file} does not exist`)
  const credentials = credentialsFileSchema.parse(JSON.parse(text))
  const admin = credentials.admin
  if (admin === undefined) throw new Error(`${file} has no admin`)
  return { ...credentials, admin }
}

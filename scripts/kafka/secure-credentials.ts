/**
 * The secure broker's secrets, written by kafka.sh (KAFKA_SECURE=1) into its run directory, each file 0600:
 *
 *   credentials.json   every user and its random password, in the shape RISKCTL_KAFKA_CREDENTIALS reads
 *                      (src/config/kafka-credentials.ts); kept as it is when the broker restarts on its data
 *   scram-users.args   kafka-storage format's --add-scram arguments, one per line: the storage tool reads them
 *                      from `@file` (argparse4j), so no password is ever on a command line that ps would show
 *   jaas.properties    the listeners' login settings with the admin's password, for server.properties
 *
 *   node --import tsx scripts/kafka/secure-credentials.ts RUN_DIR [--keep]
 */
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import { credentialsFileSchema, type CredentialsFile } from '../../src/config/kafka-credentials.js'
import { PROCESSOR_PRINCIPALS, SECURE_USERS } from '../../topologies/kafka-grants.js'

const [runDir, flag] = process.argv.slice(2)
if (runDir === undefined) {
  process.stderr.write('usage: secure-credentials.ts RUN_DIR [--keep]\n')
  process.exit(2)
}
const credentialsPath = path.join(runDir, 'credentials.json')

/**
 * Letters and digits only: a password goes inside kafka-storage's `[name=…,password=…]` and a JAAS string, where a
 * comma, bracket or quote would have to be escaped. 32 of 62 symbols is about 190 bits.
 */
function password(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'
  let out = ''
  while (out.length < 32) {
    for (const byte of randomBytes(64)) {
      // 248 = 4 × 62: bytes above it would favour the first letters.
      if (byte < 248 && out.length < 32) out += alphabet[byte % 62]
    }
  }
  return out
}

const user = (username: string) => ({ username, password: password() })

function generated(): CredentialsFile {
  return {
    mechanism: 'scram-sha-512',
    admin: user(SECURE_USERS.admin),
    processors: Object.fromEntries(PROCESSOR_PRINCIPALS.map((p) => [p, user(SECURE_USERS.processors[p])])),
    generator: user(SECURE_USERS.generator),
    operators: Object.fromEntries(Object.entries(SECURE_USERS.operators).map(([name, role]) => [name, { ...user(name), role }])),
  }
}

/** Written whole under another name and renamed: never a half-written file, never one others could read. */
function writeSecret(file: string, text: string): void {
  const partial = `${file}.partial`
  fs.rmSync(partial, { force: true })
  fs.writeFileSync(partial, text, { mode: 0o600, flag: 'wx' })
  fs.renameSync(partial, file)
}

const kept = flag === '--keep' && fs.existsSync(credentialsPath)
const credentials = credentialsFileSchema.parse(kept ? JSON.parse(fs.readFileSync(credentialsPath, 'utf8')) : generated())
if (!kept) writeSecret(credentialsPath, `${JSON.stringify(credentials, null, 2)}\n`)

const admin = credentials.admin
if (admin === undefined) throw new Error(`${credentialsPath} has no admin`)
const everyone = [
  admin,
  ...Object.values(credentials.processors),
  ...(credentials.generator === undefined ? [] : [credentials.generator]),
  ...Object.values(credentials.operators ?? {}),
]
writeSecret(
  path.join(runDir, 'scram-users.args'),
  everyone.map(({ username, password }) => `--add-scram\nSCRAM-SHA-512=[name=${username},password=${password}]\n`).join(''),
)
// CLIENT: SCRAM for everyone, the broker's own inter-broker connections as admin. CONTROLLER: SCRAM's credentials
// live in the metadata the controller serves, so it cannot check them itself: PLAIN with the admin as its only user.
writeSecret(
  path.join(runDir, 'jaas.properties'),
  [
    `listener.name.client.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="${admin.username}" password="${admin.password}";`,
    `listener.name.controller.plain.sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username="${admin.username}" password="${admin.password}" user_${admin.username}="${admin.password}";`,
    '',
  ].join('\n'),
)

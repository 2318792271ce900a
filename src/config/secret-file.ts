import fs from 'node:fs'
import { ExitCode, RiskctlError } from '../errors.js'

/**
 * Reads a file that holds a secret (the console's token, the users' hashes), refusing one that its group or others
 * may read: a secret others could have read is no longer one to trust, and saying so beats using it. undefined when
 * there is no file.
 */
export function readSecretFile(file: string): string | undefined {
  let fd: number
  try {
    fd = fs.openSync(file, 'r')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw error
  }
  try {
    // Checked on the open file, so that what is checked is what is read.
    const mode = fs.fstatSync(fd).mode & 0o777
    if ((mode & 0o077) !== 0 && process.platform !== 'win32') throw exposed(file, mode)
    return fs.readFileSync(fd, 'utf8')
  } finally {
    fs.closeSync(fd)
  }
}

function exposed(file: string, mode: number): RiskctlError {
  return new RiskctlError(
    `${file} is readable by others than its owner (mode ${mode.toString(8).padStart(4, '0')}), so what it holds can no longer be trusted as secret.`,
    {
      code: 'RISKCTL_SECRET_FILE_EXPOSED',
      exitCode: ExitCode.unauthorised,
      suggestions: [`Make it the owner's alone (chmod 600 ${file}), and issue new tokens if others may have read it.`],
    },
  )
}

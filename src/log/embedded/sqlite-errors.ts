import path from 'node:path'
import { LogError } from '../errors.js'

/** Turns SQLite's errors into the port's LogError; a LogError passes through unchanged. */
export function translateSqliteError(error: unknown, databasePath: string): unknown {
  if (error instanceof LogError) return error
  const code = (error as { code?: unknown }).code
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return error
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new LogError('RISKCTL_LOG_BUSY', `The embedded log ${databasePath} stayed locked by another process.`, {
      retriable: true,
      cause: error,
      suggestions: ['Retry; if it persists, look for a hung riskctl process using the same --data-dir.'],
    })
  }
  if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR')) {
    const full = code === 'SQLITE_FULL' || (error as NodeJS.ErrnoException).message.includes('disk')
    return new LogError(
      full ? 'RISKCTL_DISK_FULL' : 'RISKCTL_LOG_FAILURE',
      full
        ? `The disk holding the embedded log ${databasePath} is full (${code}): nothing more can be written there.`
        : `The embedded log ${databasePath} could not be written (${code}): ${(error as Error).message}`,
      {
        cause: error,
        suggestions: full
          ? [`Free space on the file system of ${path.dirname(databasePath)}, then start riskctl again.`]
          : [`Check the disk and the file system of ${path.dirname(databasePath)}.`],
      },
    )
  }
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new LogError('RISKCTL_DATA_DIR_INVALID', `${databasePath} is not a readable riskctl log (${code}).`, {
      cause: error,
      suggestions: ['Pass --data-dir with another directory; riskctl never resets a data directory itself.'],
    })
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM')) {
    return new LogError('RISKCTL_DATA_DIR_UNWRITABLE', `The embedded log ${databasePath} cannot be written (${code}).`, {
      cause: error,
      suggestions: ['Check the permissions of the data directory, or pass --data-dir with one you can write.'],
    })
  }
  return new LogError('RISKCTL_LOG_FAILURE', `The embedded log failed: ${(error as Error).message} (${code}).`, {
    cause: error,
  })
}

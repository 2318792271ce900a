import fs from 'node:fs'
import path from 'node:path'
import { LogError } from '../errors.js'

/** The file that marks a directory as a riskctl embedded log; nothing else is ever opened or reset. */
export const MARKER_FILE = 'riskctl.json'
export const DATABASE_FILE = 'log.db'
const FORMAT = 'riskctl-embedded-log'
const FORMAT_VERSION = 1

interface Marker {
  readonly format: string
  readonly version: number
  /** The identity of this directory's log.db, also stored inside it: a log that goes missing or is swapped shows. */
  readonly log_id?: string
}

/** How long a process waits for another that is creating the directory's log at the same moment. */
const INIT_WAIT_MS = 3000
const LOG_FILES = new Set([DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, `${DATABASE_FILE}-journal`])

export interface PreparedDataDir {
  readonly databasePath: string
  /** The log's identity; absent for a directory made before riskctl kept one (it is adopted on open). */
  readonly logId: string | undefined
  /** Writes the marker once the log exists: the directory's log is then this one, and only this one. */
  readonly seal: (logId: string) => void
}

/**
 * Makes sure `dataDir` is a riskctl data directory we may write to, creating it when it does not
 * exist or is empty. A directory that holds anything else is refused with its path, never reset;
 * so is one whose log has gone missing (a new, empty log would forget every kill).
 *
 * A new directory gets its log first and its marker last, so a marker always means "this log exists".
 */
export function prepareDataDir(dataDir: string): PreparedDataDir {
  const stat = statOrUndefined(dataDir)
  if (stat && !stat.isDirectory()) {
    throw new LogError('RISKCTL_DATA_DIR_INVALID', `The data directory ${dataDir} is not a directory.`, {
      suggestions: ['Pass --data-dir with a directory path, or unset RISKCTL_DATA_DIR to use the default.'],
    })
  }
  try {
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 })
  } catch (error) {
    throw unwritable(dataDir, error)
  }
  try {
    fs.accessSync(dataDir, fs.constants.R_OK | fs.constants.W_OK | fs.constants.X_OK)
  } catch (error) {
    throw unwritable(dataDir, error)
  }

  const markerPath = path.join(dataDir, MARKER_FILE)
  const databasePath = path.join(dataDir, DATABASE_FILE)
  let marker = readMarker(markerPath)
  if (marker === undefined) {
    const entries = () => fs.readdirSync(dataDir).filter((name) => !name.startsWith('.'))
    const onlyLog = () => entries().length > 0 && entries().every((name) => LOG_FILES.has(name))
    if (onlyLog()) {
      // Another process is creating this directory's log; its marker follows in a moment.
      marker = waitForMarker(markerPath)
      // None came: its creator died between the log and the marker. The log is this directory's: adopt it.
      if (marker === undefined && onlyLog() && fs.existsSync(databasePath)) {
        return { databasePath, logId: undefined, seal: (logId) => writeMarker(dataDir, markerPath, logId, 'wx') }
      }
    }
    if (marker === undefined && entries().length > 0) {
      throw new LogError(
        'RISKCTL_DATA_DIR_INVALID',
        `${dataDir} is not a riskctl data directory (no ${MARKER_FILE}) and is not empty; riskctl will not write into it.`,
        { suggestions: ['Pass --data-dir with an empty or new directory, or one riskctl created before.'] },
      )
    }
  }
  if (marker === undefined) {
    return { databasePath, logId: undefined, seal: (logId) => writeMarker(dataDir, markerPath, logId, 'wx') }
  }
  if (marker.format !== FORMAT || marker.version !== FORMAT_VERSION) {
    throw new LogError(
      'RISKCTL_DATA_DIR_INVALID',
      `${markerPath} describes format ${marker.format} version ${marker.version}; this riskctl reads ${FORMAT} version ${FORMAT_VERSION}.`,
      { suggestions: ['Use a riskctl version that matches this data directory, or pass another --data-dir.'] },
    )
  }
  // A marker is written only once its log exists, so a marker without a log means the log has gone.
  if (!fs.existsSync(databasePath)) {
    throw new LogError(
      'RISKCTL_DATA_DIR_INVALID',
      `${databasePath} is missing: the log of this data directory${marker.log_id === undefined ? '' : ` (log ${marker.log_id})`} has gone. riskctl will not start a new, empty log in its place: every kill it held would be forgotten.`,
      {
        suggestions: [
          `Restore ${DATABASE_FILE} into ${dataDir} from a backup, or pass --data-dir with a new directory to start afresh.`,
        ],
      },
    )
  }
  const known = marker.log_id
  return {
    databasePath,
    logId: known,
    seal: (logId) => {
      if (known === undefined) writeMarker(dataDir, markerPath, logId, 'replace')
    },
  }
}

/** The identity stored in the log must be the directory's: a log.db copied in from elsewhere is refused. */
export function checkLogIdentity(databasePath: string, expected: string | undefined, stored: string): void {
  if (expected === undefined || expected === stored) return
  throw new LogError(
    'RISKCTL_DATA_DIR_INVALID',
    `${databasePath} is log ${stored}, not this data directory's log ${expected}: it has been replaced. riskctl will not use it.`,
    { suggestions: ['Put back the log this directory was made with, or pass --data-dir with the directory this log belongs to.'] },
  )
}

function writeMarker(dataDir: string, markerPath: string, logId: string, mode: 'wx' | 'replace'): void {
  const text = `${JSON.stringify({ format: FORMAT, version: FORMAT_VERSION, log_id: logId }, null, 2)}\n`
  try {
    // Written whole under another name first: a process waiting for the marker never reads half of one.
    const temporary = path.join(dataDir, `.${MARKER_FILE}.${process.pid}.tmp`)
    fs.writeFileSync(temporary, text)
    try {
      if (mode === 'wx') fs.linkSync(temporary, markerPath)
      else fs.renameSync(temporary, markerPath)
    } finally {
      fs.rmSync(temporary, { force: true })
    }
  } catch (error) {
    // Another riskctl process initialised the directory at the same moment, with the same log: that is fine.
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(dataDir, error)
  }
}

function waitForMarker(markerPath: string): Marker | undefined {
  const deadline = Date.now() + INIT_WAIT_MS
  const pause = new Int32Array(new SharedArrayBuffer(4))
  while (Date.now() < deadline) {
    const marker = readMarker(markerPath)
    if (marker !== undefined) return marker
    Atomics.wait(pause, 0, 0, 50)
  }
  return undefined
}

function readMarker(markerPath: string): Marker | undefined {
  let text: string
  try {
    text = fs.readFileSync(markerPath, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined
    throw new LogError('RISKCTL_DATA_DIR_INVALID', `Cannot read ${markerPath}: ${(error as Error).message}`, {
      cause: error,
    })
  }
  try {
    const parsed = JSON.parse(text) as Partial<Marker>
    const marker = { format: String(parsed.format), version: Number(parsed.version) }
    return typeof parsed.log_id === 'string' ? { ...marker, log_id: parsed.log_id } : marker
  } catch (error) {
    throw new LogError('RISKCTL_DATA_DIR_INVALID', `${markerPath} is not valid JSON; it is not a riskctl marker file.`, {
      cause: error,
      suggestions: ['Pass --data-dir with an empty or new directory.'],
    })
  }
}

function statOrUndefined(target: string): fs.Stats | undefined {
  try {
    return fs.statSync(target)
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT') return undefined
    if (code === 'ENOTDIR') {
      throw new LogError('RISKCTL_DATA_DIR_INVALID', `The data directory ${target} is inside a file, not a directory.`, {
        cause: error,
        suggestions: ['Pass --data-dir with a directory path.'],
      })
    }
    throw unwritable(target, error)
  }
}

function unwritable(dataDir: string, error: unknown): LogError {
  const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message
  return new LogError('RISKCTL_DATA_DIR_UNWRITABLE', `The data directory ${dataDir} cannot be written (${reason}).`, {
    cause: error,
    suggestions: ['Check its permissions, or pass --data-dir with a directory you can write.'],
  })
}

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
}

/**
 * Makes sure `dataDir` is a riskctl data directory we may write to, creating it when it does not
 * exist or is empty. A directory that holds anything else is refused with its path, never reset.
 */
export function prepareDataDir(dataDir: string): { databasePath: string } {
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
  const marker = readMarker(markerPath)
  if (marker === undefined) {
    const entries = fs.readdirSync(dataDir).filter((name) => !name.startsWith('.'))
    if (entries.length > 0) {
      throw new LogError(
        'RISKCTL_DATA_DIR_INVALID',
        `${dataDir} is not a riskctl data directory (no ${MARKER_FILE}) and is not empty; riskctl will not write into it.`,
        { suggestions: ['Pass --data-dir with an empty or new directory, or one riskctl created before.'] },
      )
    }
    try {
      fs.writeFileSync(markerPath, `${JSON.stringify({ format: FORMAT, version: FORMAT_VERSION }, null, 2)}\n`, {
        flag: 'wx',
      })
    } catch (error) {
      // Another riskctl process initialised the directory at the same moment: that is fine.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw unwritable(dataDir, error)
    }
  } else if (marker.format !== FORMAT || marker.version !== FORMAT_VERSION) {
    throw new LogError(
      'RISKCTL_DATA_DIR_INVALID',
      `${markerPath} describes format ${marker.format} version ${marker.version}; this riskctl reads ${FORMAT} version ${FORMAT_VERSION}.`,
      { suggestions: ['Use a riskctl version that matches this data directory, or pass another --data-dir.'] },
    )
  }
  return { databasePath: path.join(dataDir, DATABASE_FILE) }
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
    return { format: String(parsed.format), version: Number(parsed.version) }
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

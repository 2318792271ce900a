import os from 'node:os'

/** The OS account running riskctl, as the machine knows it. */
export function osUserName(): string {
  try {
    return os.userInfo().username
  } catch {
    // A container user without a passwd entry has no name; the uid still tells who it was.
    return `uid-${process.getuid?.() ?? 'unknown'}`
  }
}

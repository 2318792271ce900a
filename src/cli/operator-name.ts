import os from 'node:os'

/** The OS account running riskctl: kills from the live view are attributed to a person, as `riskctl kill` does. */
export function operatorName(): string {
  try {
    return os.userInfo().username
  } catch {
    // A container user without a passwd entry has no name; the uid still tells who it was.
    return `uid-${process.getuid?.() ?? 'unknown'}`
  }
}

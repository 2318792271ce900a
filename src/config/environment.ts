/** Environment variables as a value: what config reads, and what it hands to the few places that need the raw map. */
export type Environment = Readonly<Record<string, string | undefined>>

/**
 * The process's environment. Config is its only reader (a lint rule keeps it so); everything else takes an
 * Environment as an argument, so that a test passes its own.
 */
export function processEnvironment(): Environment {
  return process.env
}

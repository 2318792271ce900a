/** Polls until `check` returns a value (not undefined), or fails after `timeoutMs` with what was last seen. */
export async function waitFor<T>(
  check: () => T | undefined,
  describe: () => string,
  timeoutMs = 5000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`Timed out waiting; last seen:\n${describe()}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}

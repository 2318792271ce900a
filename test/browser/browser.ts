import { existsSync } from 'node:fs'
import { chromium, type Browser } from 'playwright-core'

/** Debian's chromium, or the one RISKCTL_CHROMIUM names: never a downloaded browser. */
export function chromiumPath(): string {
  const candidates = [process.env.RISKCTL_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(
    (p): p is string => p !== undefined,
  )
  const found = candidates.find((candidate) => existsSync(candidate))
  if (found === undefined)
    throw new Error(`no chromium at ${candidates.join(', ')}: npm run test:browser installs Debian's`)
  return found
}

export function launchChromium(): Promise<Browser> {
  // --no-sandbox: CI runs as root, where chromium's sandbox refuses to start.
  return chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox'] })
}

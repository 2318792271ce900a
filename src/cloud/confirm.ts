import { createInterface } from 'node:readline/promises'
import { ExitCode, RiskctlError } from '../errors.js'

/**
 * Asks on the terminal. Without one (CI, a pipe) nobody can say yes, so spending money needs
 * --yes instead of a silent default.
 */
export async function confirmOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY || !process.stderr.isTTY) {
    throw new RiskctlError('There is no terminal to confirm on.', {
      code: 'RISKCTL_CONFIRMATION_NEEDED',
      exitCode: ExitCode.precondition,
      suggestions: ['Pass --yes to confirm in advance.'],
    })
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr })
  try {
    const answer = await prompt.question(`${question} [y/N] `)
    return /^y(es)?$/i.test(answer.trim())
  } finally {
    prompt.close()
  }
}

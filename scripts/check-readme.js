#!/usr/bin/env node
// Fails when the README's command reference (between <!-- commands --> and <!-- commandsstop -->)
// differs from what the commands' own help generates, so the reference can never go stale.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import process from 'node:process'

const env = { ...process.env, COLUMNS: '120', OCLIF_COLUMNS: '120', NO_COLOR: '1' }
const generated = execFileSync(
  'npx',
  ['oclif', 'readme', '--no-aliases', '--no-source-links', '--readme-path', 'README.md', '--dry-run'],
  { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'ignore'] },
)
const section = (text) => {
  // The markers on lines of their own: oclif's log line "replacing <!-- commands -->" is not one.
  const start = text.search(/^<!-- commands -->$/m)
  const end = text.search(/^<!-- commandsstop -->$/m)
  if (start < 0 || end < 0) throw new Error('README.md needs the <!-- commands --> and <!-- commandsstop --> markers')
  return text.slice(start, end).trim()
}
if (section(generated) !== section(readFileSync('README.md', 'utf8'))) {
  process.stderr.write('README.md: the command reference is out of date. Run `npm run readme` and commit the result.\n')
  process.exit(1)
}
process.stdout.write('README.md command reference is up to date.\n')

import { loadDetectorTopology } from '../config/detector-topology.js'
import { directIdentity } from '../config/direct-identity.js'
import { operatorTokenMissing } from '../config/profile-settings.js'
import type { RiskctlConfig } from '../config/resolve-config.js'
import { readOperatorToken } from '../config/operator-token.js'
import type { DemoPart, DemoVariant } from './demo-context.js'
import { DemoSession, type AttachedConsole } from './demo-session.js'
import type { DemoResult } from './run-demo.js'
import { walkthrough } from './walkthrough.js'
import { badInput, ExitCode, RiskctlError } from '../errors.js'
import { openEventLog } from '../services/open-log.js'

export interface DemoRunOptions {
  readonly variant: DemoVariant
  /** Every wait is divided by it. */
  readonly speed: number
  /** Drive processors that already run, through their console, instead of starting them (implied by a deployment). */
  readonly attach: boolean
  /** The data dir to run in; by default a fresh one (attached: the processors' own). */
  readonly dataDir: string | undefined
  readonly config: RiskctlConfig
  /** Shows the walkthrough (the demo screen or plain lines) until its end, a quit or the stop signal. */
  readonly present: (session: DemoSession, parts: readonly DemoPart[]) => Promise<DemoResult>
  readonly onStart: (start: DemoStart) => void
}

export interface DemoStart {
  readonly variant: DemoVariant
  /** At speed 1. */
  readonly minutes: number
  readonly attached: boolean
  readonly log: string
  readonly consoleUrl: string
  readonly dataDir: string
}

export interface DemoRunResult extends DemoResult {
  readonly variant: DemoVariant
  readonly parts: number
  /** Where the demo's data stays, to explore afterwards. */
  readonly dataDir: string
}

/** `riskctl demo run`: the walkthrough's session (processors, console, flows), shown by `present`, then closed. */
export async function runDemo(options: DemoRunOptions): Promise<DemoRunResult> {
  const { config } = options
  const parts = walkthrough(options.variant)
  const attach = options.attach || config.deployment !== undefined ? attachedConsole(config) : undefined
  const session = await DemoSession.start({
    openLog: (dataDir) => openEventLog({ ...config, backend: { ...config.backend, dataDir } }),
    // Attached, the processors' own data dir: its audit trail and token are the ones that count.
    dataDir: attach ? config.backend.dataDir : options.dataDir,
    speed: options.speed,
    detectorSettings: loadDetectorTopology(),
    envToken: config.operatorToken,
    operator: directIdentity(config),
    // The long variant shows four-eyes unkill; the classroom's shorter ones keep one person's UNKILL.
    fourEyes: options.variant === 'long' ? { unkill: true, timeoutMs: 15 * 60_000 } : undefined,
    attach,
  })
  try {
    options.onStart({
      variant: options.variant,
      minutes: parts.reduce((sum, part) => sum + part.minutes, 0),
      attached: session.attached,
      log: session.log.description,
      consoleUrl: session.consoleUrl,
      dataDir: session.dataDir,
    })
    const result = await options.present(session, parts)
    return { variant: options.variant, parts: parts.length, ...result, dataDir: session.dataDir }
  } finally {
    await session.close()
  }
}

export function hasFailedPart(result: DemoRunResult): boolean {
  return result.failed.length > 0
}

/** --speed: a positive number. */
export function parseSpeed(text: string): number {
  const speed = Number(text)
  if (!Number.isFinite(speed) || speed <= 0) {
    throw badInput('RISKCTL_SPEED_INVALID', `--speed "${text}" is not a positive number.`, ['Use e.g. --speed 10.'])
  }
  return speed
}

function attachedConsole(config: RiskctlConfig): AttachedConsole {
  const { apiUrl, deployment, backend, operatorToken } = config
  if (apiUrl === undefined) {
    throw badInput('RISKCTL_API_URL_MISSING', '--attach needs the operator console of the running processors.', [
      'export RISKCTL_API_URL=http://127.0.0.1:8000   # the console riskctl up serves',
      'or pass --profile NAME for a deployment on AWS',
    ])
  }
  const token = readOperatorToken(backend.dataDir, operatorToken)
  if (token === undefined) {
    if (deployment !== undefined) throw operatorTokenMissing(deployment)
    throw new RiskctlError(`The operator console at ${apiUrl} needs its bearer token, and none was found.`, {
      code: 'RISKCTL_TOKEN_MISSING',
      exitCode: ExitCode.unauthorised,
      suggestions: [
        'export RISKCTL_OPERATOR_TOKEN=...   # or pass the --data-dir of that riskctl up, which keeps its token there',
      ],
    })
  }
  return { consoleUrl: apiUrl, token }
}

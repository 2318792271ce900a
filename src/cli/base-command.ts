import { Command, Errors, Flags, type Interfaces } from '@oclif/core'
import { ProfileStore } from '../cloud/profile-store.js'
import { clusterIsPrivate } from '../config/profile-settings.js'
import { resolveConfig, type RiskctlConfig } from '../config/resolve-config.js'
import { badInput, ExitCode } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { openEventLog } from '../log/open-log.js'
import { describeFailure, type FailureReport } from './failure.js'
import { createOutput, type Output } from './output.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * Global flags, configuration, the event log's lifetime and the one mapping from errors to output
 * and exit codes. Commands extend this and stay thin: parse, call a service, render.
 */
export abstract class BaseCommand<T extends typeof Command> extends Command {
  static override baseFlags = {
    json: Flags.boolean({
      description: 'Print the result as JSON (errors too, as {error: {code, message, suggestions}}). [env: RISKCTL_JSON]',
      helpGroup: 'GLOBAL',
    }),
    'data-dir': Flags.string({
      description: 'Directory of the embedded event log; shared by every riskctl process that names it. [env: RISKCTL_DATA_DIR]',
      helpGroup: 'GLOBAL',
    }),
    brokers: Flags.string({
      description: 'Kafka bootstrap servers (host:port,...); without them riskctl uses the embedded log. [env: RISKCTL_BROKERS]',
      helpGroup: 'GLOBAL',
    }),
    profile: Flags.string({
      description:
        'The riskctl profile `riskctl deploy --profile NAME` wrote: work on that AWS deployment (its MSK through public access with IAM, its operator console). [env: RISKCTL_PROFILE]',
      helpGroup: 'GLOBAL',
    }),
    debug: Flags.boolean({ description: 'Show stack traces of unexpected errors. [env: RISKCTL_DEBUG]', helpGroup: 'GLOBAL' }),
  }

  /**
   * What --profile means here. 'connect': reach the deployment it names. 'name': only the name is
   * taken (deploy, destroy and doctor read or write the file themselves). 'refuse': the command
   * works on a local log or a Kafka named by --brokers only. Refusing is the default, so that only
   * commands made for a deployment ever reach one.
   */
  static profileUse: 'connect' | 'name' | 'refuse' = 'refuse'
  /** Why a refusing command refuses, when there is more to say than that it works locally. */
  static profileRefusal: string | undefined

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  /** Every positional argument, including the extra ones a non-strict command accepts. */
  protected positionals: string[] = []
  protected settings!: RiskctlConfig
  protected out!: Output
  private eventLog: EventLog | undefined

  override async init(): Promise<void> {
    await super.init()
    const { flags, args, argv } = await this.parse({
      flags: this.ctor.flags,
      baseFlags: (this.ctor as typeof BaseCommand).baseFlags,
      args: this.ctor.args,
      strict: this.ctor.strict,
    })
    this.flags = flags as CommandFlags<T>
    this.args = args as CommandArgs<T>
    this.positionals = argv.map(String)
    const { profileUse, profileRefusal } = this.ctor as typeof BaseCommand
    const profiles = new ProfileStore(this.config.configDir)
    this.settings = resolveConfig(flags, {
      defaultDataDir: this.config.dataDir,
      ...(profileUse === 'connect'
        ? { readProfile: (name: string) => ({ file: profiles.pathOf(name), profile: profiles.read(name) }) }
        : {}),
    })
    this.out = createOutput(this.settings)
    if (profileUse === 'refuse' && this.settings.profileName !== undefined) {
      throw badInput(
        'RISKCTL_PROFILE_UNSUPPORTED',
        `riskctl ${(this.id ?? '').replaceAll(':', ' ')} does not work on an AWS deployment: ${profileRefusal ?? 'it works on the local log, or on a Kafka named with --brokers'}.`,
        ['Leave out --profile, and unset RISKCTL_PROFILE if it is set.'],
      )
    }
  }

  /** Opens the configured event log once per command; it is closed when the command ends. */
  protected async openLog(): Promise<EventLog> {
    const { deployment, backend } = this.settings
    // With a profile, the embedded log is never what was meant: the deployment's MSK has no public listener.
    if (deployment !== undefined && backend.type === 'embedded') throw clusterIsPrivate(deployment)
    this.eventLog ??= await openEventLog(this.settings)
    return this.eventLog
  }

  /** Ends the command with an exit code after it has reported everything itself. */
  protected exitWith(exitCode: number): never {
    throw new Errors.ExitError(exitCode)
  }

  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    const report = describeFailure(error)
    // Flag errors from oclif arrive before init finished; they carry their own exit code (2).
    const json = this.settings?.json ?? this.argv.includes('--json')
    if (json) {
      process.stdout.write(`${JSON.stringify({ error: report.error })}\n`)
    } else if (report.exitCode !== ExitCode.interrupted) {
      process.stderr.write(this.renderFailure(report))
    }
    if (report.exitCode === ExitCode.unexpected && (this.settings?.debug ?? false)) {
      process.stderr.write(`${error.stack ?? String(error)}\n`)
    }
    throw new Errors.ExitError(report.exitCode)
  }

  protected override async finally(error: Error | undefined): Promise<unknown> {
    const log = this.eventLog
    this.eventLog = undefined
    await log?.close()
    return super.finally(error)
  }

  private renderFailure(report: FailureReport): string {
    const style = this.out?.style
    const lines = [`${style ? style.red('Error:') : 'Error:'} ${report.error.message}`]
    if (report.error.suggestions.length > 0) {
      lines.push('Try this:', ...report.error.suggestions.map((s) => `  ${s}`))
    }
    if (report.error.code === 'RISKCTL_UNEXPECTED') lines.push('Run again with --debug to see the stack trace.')
    return `${lines.join('\n')}\n`
  }
}

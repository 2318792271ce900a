import { directIdentity } from '../config/direct-identity.js'
import { Command, Errors, Flags, type Interfaces } from '@oclif/core'
import { ProfileStore } from '../config/profile-store.js'
import { clusterIsPrivate } from '../config/profile-settings.js'
import type { KillSwitchRoute } from '../services/kill-switch-request.js'
import { resolveConfig, type RiskctlConfig } from '../config/resolve-config.js'
import { badInput, ExitCode, interrupted } from '../errors.js'
import type { EventLog } from '../log/port.js'
import { openEventLog } from '../services/open-log.js'
import { describeFailure, type FailureReport } from './failure.js'
import { listenForInterrupt, type Interruption } from './interrupt.js'
import { createOutput, type Output } from './output.js'

export type CommandFlags<T extends typeof Command> = Interfaces.InferredFlags<
  (typeof BaseCommand)['baseFlags'] & T['flags']
>
export type CommandArgs<T extends typeof Command> = Interfaces.InferredArgs<T['args']>

/**
 * Global flags, configuration, the event log's lifetime, Ctrl+C, and the one mapping from results
 * and errors to output and exit codes. Commands extend this and stay thin: parse the flags, call
 * the service of their name, return its typed result. With --json (or RISKCTL_JSON) this class
 * prints that result as one JSON document, as oclif's enableJsonFlag does; otherwise the command's
 * `render` shows it to a person.
 */
export abstract class BaseCommand<T extends typeof Command, R = void> extends Command {
  static override enableJsonFlag = true
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
  /**
   * A stream (tail, up): with --json it prints JSON lines as it goes, its result is one more line,
   * and an interruption adds none, since the lines are the output.
   */
  static jsonLines = false

  protected flags!: CommandFlags<T>
  protected args!: CommandArgs<T>
  /** Every positional argument, including the extra ones a non-strict command accepts. */
  protected positionals: string[] = []
  protected settings!: RiskctlConfig
  protected out!: Output
  private eventLog: EventLog | undefined
  private interruption: Interruption | undefined
  /** The run took the stop signal: on Ctrl+C it stops itself and is waited for. */
  private stopsItself = false

  /** Does the command's work through its service and returns the result that --json prints. */
  abstract override run(): Promise<R>

  /** The result for a person; never called with --json, where the base command prints it. */
  protected render(_result: R): void {}

  /** A result that is not a failure to report, but not a plain success either (input rejected, a check failed). */
  protected exitCodeOf(_result: R): ExitCode {
    return ExitCode.ok
  }

  override async init(): Promise<void> {
    await super.init()
    this.interruption = listenForInterrupt()
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

  /**
   * The Ctrl+C signal, for a service that stops on it and returns what it has so far. A command
   * that asks for it is waited for after Ctrl+C; one that never asks is left behind (its log closed)
   * and ends at once, with 130 and, under --json, the interruption as its one document.
   */
  /** Where an operator's request goes: the console at `api` (or the profile's / RISKCTL_API_URL's), else the log. */
  protected operatorRoute(api: string | undefined): KillSwitchRoute {
    const { apiUrl, backend, operatorToken, deployment } = this.settings
    return {
      apiUrl: api ?? apiUrl,
      openLog: () => this.openLog(),
      identity: () => directIdentity(this.settings),
      dataDir: backend.dataDir,
      envToken: operatorToken,
      deployment,
    }
  }

  protected stopSignal(): AbortSignal {
    if (this.interruption === undefined) throw new Error('stopSignal() before init()')
    this.stopsItself = true
    return this.interruption.signal
  }

  /** One line of a JSON-lines stream (tail, up): compact, so that every line parses on its own. */
  protected jsonLine(value: unknown): void {
    process.stdout.write(`${JSON.stringify(value)}\n`)
  }

  /**
   * oclif's Command._run (init, run, catch, finally, then the result as JSON), with what riskctl
   * adds: a run that did not take the stop signal is left behind on Ctrl+C, a person gets
   * render(result), and the exit code comes from the interruption or the result. Nothing else in
   * riskctl prints a result or chooses an exit code.
   */
  protected override async _run<U>(): Promise<U> {
    let result: R | undefined
    let failure: Error | undefined
    try {
      await this.init()
      result = await this.runUnlessLeftBehind()
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error))
      await this.catch(failure)
    } finally {
      await this.finally(failure)
    }
    if (result !== undefined) {
      if (this.jsonEnabled()) this.logJson(this.toSuccessJson(result))
      else this.render(result)
    }
    // A supervisor's SIGTERM to a run that stopped itself and said what it did: a clean stop, not an interruption.
    const stoppedOnRequest = this.interruption?.received() === 'SIGTERM' && result !== undefined
    if (this.interruption?.interrupted() === true && !stoppedOnRequest) {
      // Stopped with nothing to show: under --json the interruption is still one document; a stream has said all.
      if (result === undefined && !this.isStream()) await this.catch(interrupted())
      throw new Errors.ExitError(ExitCode.interrupted)
    }
    const exitCode = result === undefined ? ExitCode.ok : this.exitCodeOf(result)
    if (exitCode !== ExitCode.ok) throw new Errors.ExitError(exitCode)
    return result as unknown as U
  }

  override jsonEnabled(): boolean {
    // Before init has resolved the settings (a flag oclif rejected), the argv and RISKCTL_JSON tell.
    return this.settings?.json ?? (super.jsonEnabled() || this.config.scopedEnvVarTrue('JSON'))
  }

  /** Pretty, as riskctl always printed it; after JSON lines, one more line. */
  protected override logJson(json: unknown): void {
    process.stdout.write(`${this.isStream() ? JSON.stringify(json) : JSON.stringify(json, null, 2)}\n`)
  }

  protected override toErrorJson(error: unknown): { error: FailureReport['error'] } {
    return { error: describeFailure(error).error }
  }

  protected override async catch(error: Error & { oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) throw error
    // A run stopped by Ctrl+C may fail on its way out (a consumer closed under it): that is the interruption.
    const shown = this.interruption?.interrupted() === true ? interrupted() : error
    const report = describeFailure(shown)
    if (this.jsonEnabled()) {
      // On one line, so that it also ends a JSON-lines stream as one more line.
      if (!(report.exitCode === ExitCode.interrupted && this.isStream())) {
        process.stdout.write(`${JSON.stringify(this.toErrorJson(shown))}\n`)
      }
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
    try {
      await log?.close()
    } finally {
      // Only now: a Ctrl+C while the log closes still counts as the first one.
      this.interruption?.dispose()
    }
    return super.finally(error)
  }

  private isStream(): boolean {
    return (this.ctor as typeof BaseCommand).jsonLines
  }

  /** The run, or the interruption if it comes first and the run did not take the stop signal. */
  private async runUnlessLeftBehind(): Promise<R> {
    const signal = this.interruption?.signal
    if (signal === undefined) return this.run()
    if (signal.aborted) throw interrupted()
    const run = this.run()
    // Left behind, it may still fail as the log closes under it; nobody is listening by then.
    run.catch(() => undefined)
    const leftBehind = new Promise<never>((_resolve, reject) => {
      const onAbort = (): void => {
        if (!this.stopsItself) reject(interrupted())
      }
      signal.addEventListener('abort', onAbort, { once: true })
    })
    return Promise.race([run, leftBehind])
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

import {
  BaseCredentials,
  BootstrapEnvironments,
  StackSelectionStrategy,
  Toolkit,
  type IIoHost,
} from '@aws-cdk/toolkit-lib'
import { STACK_NAME } from '../../topologies/aws/names.js'
import { buildApp, type StackOptions } from './assembly.js'

/** What deploy and destroy need from the CDK: a port, so tests can check what would be sent. */
export interface CloudToolkit {
  /** Bootstraps the environment if needed, deploys the stack (rolling back on failure) and returns its outputs. */
  deploy(options: StackOptions): Promise<Readonly<Record<string, string>>>
  /** Deletes the stack; `existed` is false when there was nothing to delete. */
  destroy(options: StackOptions): Promise<{ readonly existed: boolean }>
}

export interface CdkToolkitSettings {
  readonly ioHost: IIoHost
  readonly region: string
  readonly awsProfile?: string | undefined
}

/**
 * The CDK's programmatic toolkit, in this process: no globally installed `cdk`, no shelling out.
 * The app is built by the same buildApp the tests and the dry run use.
 */
export function cdkToolkit(settings: CdkToolkitSettings): CloudToolkit {
  const toolkit = new Toolkit({
    ioHost: settings.ioHost,
    emojis: false,
    color: false,
    sdkConfig: {
      baseCredentials: BaseCredentials.awsCliCompatible({
        defaultRegion: settings.region,
        ...(settings.awsProfile === undefined ? {} : { profile: settings.awsProfile }),
      }),
    },
  })
  const stacks = { strategy: StackSelectionStrategy.PATTERN_MUST_MATCH, patterns: [STACK_NAME] }
  const source = (options: StackOptions) =>
    toolkit.fromAssemblyBuilder(async (props) => buildApp(props.outdir, options).app.synth())
  return {
    async deploy(options) {
      const cx = await source(options)
      await toolkit.bootstrap(BootstrapEnvironments.fromCloudAssemblySource(cx))
      const result = await toolkit.deploy(cx, {
        stacks,
        rollback: true,
        deploymentMethod: { method: 'change-set' },
      })
      return result.stacks.find((stack) => stack.stackName === STACK_NAME)?.outputs ?? {}
    },
    async destroy(options) {
      const result = await toolkit.destroy(await source(options), { stacks })
      return { existed: result.stacks.some((stack) => stack.stackExisted) }
    },
  }
}

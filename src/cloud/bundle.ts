import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { HANDLERS, type HandlerName } from '../../topologies/aws/lambda-code.js'
import { DEFAULT_LIMITS_TOPOLOGY_PATH } from '../config/limits-topology.js'
import { DEFAULT_CONTROLS_TOPOLOGY_PATH } from '../config/controls-topology.js'

const HERE = path.dirname(fileURLToPath(import.meta.url))

/** A handler's entry: the TypeScript source in a checkout, the compiled module in an installed riskctl. */
export function handlerEntry(handler: HandlerName, dir: string = path.join(HERE, '..', 'lambda')): string {
  const source = path.join(dir, `${handler}.ts`)
  return fs.existsSync(source) ? source : path.join(dir, `${handler}.js`)
}

/**
 * Bundles every handler with esbuild into <outDir>/<handler>/index.mjs: one file per function,
 * built from the same modules the CLI runs, dependencies included (the MSK IAM signer's SDK
 * packages too: the bundle does not bet on the runtime's SDK version). kafkajs is CommonJS, hence
 * the require shim.
 */
export async function bundleHandlers(
  outDir: string,
  handlers: readonly HandlerName[] = HANDLERS,
): Promise<string> {
  const { build } = await import('esbuild')
  for (const handler of handlers) {
    await build({
      entryPoints: { index: handlerEntry(handler) },
      outdir: path.join(outDir, handler),
      outExtension: { '.js': '.mjs' },
      bundle: true,
      platform: 'node',
      target: 'node22',
      format: 'esm',
      sourcemap: true,
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
      logLevel: 'error',
    })
    // The router's limits travel with the code: a bundle has no topologies/ folder to read them from.
    if (handler === 'router') fs.copyFileSync(DEFAULT_LIMITS_TOPOLOGY_PATH, path.join(outDir, handler, 'limits.json'))
    // And the aggregator's four-eyes policy, the same file `riskctl up` reads.
    if (handler === 'aggregator') fs.copyFileSync(DEFAULT_CONTROLS_TOPOLOGY_PATH, path.join(outDir, handler, 'controls.json'))
  }
  return outDir
}

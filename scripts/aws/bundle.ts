import path from 'node:path'
import { bundleHandlers } from '../../src/cloud/bundle.js'

/** Builds the Lambda bundles into the directory given (default .cache/aws/bundles), as `riskctl deploy` does. */
const outDir = path.resolve(process.argv[2] ?? '.cache/aws/bundles')
await bundleHandlers(outDir)
console.log(outDir)

import path from 'node:path'
import { buildApp } from '../../src/cloud/assembly.js'
import { summarisePlan } from '../../src/cloud/plan.js'

/**
 * Synthesises the riskctl stack into .cache/aws/cdk.out (or the directory given) with placeholder function
 * code, for cfn-lint and for reading the template. Usage: tsx scripts/aws/synth.ts [outdir] [laptopCidr]
 */
const outdir = path.resolve(process.argv[2] ?? '.cache/aws/cdk.out')
const { app, stack } = buildApp(outdir, { laptopCidr: process.argv[3] })
const assembly = app.synth()
const artifact = assembly.getStackByName(stack.stackName)
const plan = summarisePlan(artifact.template as Parameters<typeof summarisePlan>[0])
console.log(`${path.join(outdir, artifact.templateFile)}: ${plan.total} resources`)

#!/usr/bin/env node
import module from 'node:module'

// Node 22.1+ keeps the compiled code of riskctl and its dependencies on disk (in the OS temp dir, or
// NODE_COMPILE_CACHE): every command after the first starts without compiling them again. Before
// any other import, so that all of them are cached.
module.enableCompileCache?.()
const { execute } = await import('@oclif/core')
await execute({ dir: import.meta.url })

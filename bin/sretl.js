#!/usr/bin/env node
// The `sretl` executable. The CLI is TypeScript that Node 24 runs directly; when the `node` on
// PATH is older (the machine's own Node 20), re-run under the Node 24 this package pins.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const major = Number(process.versions.node.split('.')[0])
const entry = new URL('../src/cli/main.ts', import.meta.url)

if (major >= 24) {
  const { cli } = await import(entry.href)
  process.exitCode = await cli(process.argv.slice(2), process.env)
} else {
  let node
  try {
    node = join(dirname(createRequire(import.meta.url).resolve('node/package.json')), 'bin', 'node')
  } catch {
    process.stderr.write(
      `sretl: needs Node.js 24 (this is ${process.version}); run \`npm ci\` in the project to get it\n`,
    )
    process.exit(1)
  }
  const child = spawn(node, [entry.pathname, ...process.argv.slice(2)], { stdio: 'inherit' })
  // the terminal's Ctrl-C reaches the child directly; wait for it to finish stopping
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.on(signal, () => {
      if (signal !== 'SIGINT') child.kill(signal)
    })
  }
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + 1 : 1)
  })
}

#!/usr/bin/env node
// The `sretl` executable. The CLI is TypeScript that Node 24 runs directly; when the `node` on
// PATH is older (the machine's own Node 20), re-run under the Node 24 this package pins. This
// check is the runtime guarantee (ADR 0071): package.json states no `engines`, because npm warns
// about them on every `npx sretl` from an older system Node although this shim handles it.
import { spawn } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

/** What the code needs: type stripping without flags and the APIs it uses. */
const REQUIRED = [24, 11]
const entry = new URL('../src/cli/main.ts', import.meta.url)

const satisfies = (version) => {
  const [major, minor] = version.replace(/^v/, '').split('.').map(Number)
  return major > REQUIRED[0] || (major === REQUIRED[0] && minor >= REQUIRED[1])
}
const needs = `Node.js ≥ ${REQUIRED.join('.')}`

if (satisfies(process.version)) {
  const { cli } = await import(entry.href)
  process.exitCode = await cli(process.argv.slice(2), process.env)
} else {
  let node
  let pinned
  try {
    const manifest = createRequire(import.meta.url).resolve('node/package.json')
    node = join(dirname(manifest), 'bin', 'node')
    pinned = createRequire(import.meta.url)('node/package.json').version
  } catch {
    process.stderr.write(
      `sretl: needs ${needs} (this is ${process.version}); run \`npm ci\` in the project to get the pinned Node 24\n`,
    )
    process.exit(1)
  }
  if (!satisfies(pinned)) {
    process.stderr.write(
      `sretl: needs ${needs}, but the pinned node package is ${pinned} and this is ${process.version}; run \`npm ci\` in the project\n`,
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
  child.on('error', (err) => {
    process.stderr.write(
      `sretl: could not start the pinned Node at ${node}: ${err.message}; run \`npm ci\`\n`,
    )
    process.exitCode = 1
  })
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 128 + 1 : 1)
  })
}

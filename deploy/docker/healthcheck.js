// The image's HEALTHCHECK: GET /readyz of the component this container runs. One image serves every
// component, so the port is found from PID 1's command line (`sretl run <component>`) and the
// component's <NAME>_PORT variable (defaults as in src/platform/control-targets.ts; a test checks
// they agree). Plain JavaScript on purpose: it runs every few seconds and must start fast.
import { readFileSync } from 'node:fs'

export const defaultPorts = { control: 8080, gateway: 8081, simulator: 8082, lander: 8083 }

function componentOfPid1() {
  const argv = readFileSync('/proc/1/cmdline', 'utf8').split('\0')
  const run = argv.indexOf('run')
  return run === -1 ? undefined : argv[run + 1]
}

async function main() {
  const component = componentOfPid1()
  // a one-shot command (migrate, smoke, …) has no HTTP server to ask
  if (component === undefined || !(component in defaultPorts)) return 0
  const port = Number(process.env[`${component.toUpperCase()}_PORT`] || defaultPorts[component])
  try {
    const response = await fetch(`http://127.0.0.1:${port}/readyz`, { signal: AbortSignal.timeout(5000) })
    if (response.ok) return 0
    process.stderr.write(`${component} /readyz answered ${response.status}\n`)
  } catch (err) {
    process.stderr.write(`${component} /readyz did not answer: ${err.cause?.code ?? err.name}\n`)
  }
  return 1
}

if (import.meta.url === `file://${process.argv[1]}`) process.exitCode = await main()

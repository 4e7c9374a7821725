import { componentNames } from '../../platform/component-manifest.ts'
import { SretlError } from '../../platform/errors.ts'
import { components } from '../components.ts'
import { defineCommand } from '../command.ts'

const names = componentNames
const isComponent = (name: string): name is keyof typeof components => Object.hasOwn(components, name)

export const runCommand = defineCommand({
  name: 'run',
  args: '<component>',
  summary: 'Run one pipeline component in the foreground, as a container runs it.',
  description: `Components: ${names.length > 0 ? names.map((n) => `${n} (${components[n].summary})`).join('; ') : 'none yet'}. Logs are JSON lines on stdout; SIGTERM or Ctrl-C stops it cleanly.`,
  minPositionals: 1,
  maxPositionals: 1,
  examples: ['sretl run lander', 'GATEWAY_PORT=9000 sretl run gateway'],
  async run({ env, positionals }) {
    const name = positionals[0] ?? ''
    const entry = isComponent(name) ? components[name] : undefined
    if (!entry) {
      throw new SretlError(
        'USAGE',
        `unknown component "${name}"; components: ${names.join(', ') || 'none yet'}`,
      )
    }
    const module = await entry.load()
    return module.main(env)
  },
})

import { SretlError } from '../../platform/errors.ts'
import { newApiKey } from '../../gateway/api-keys.ts'
import { defineCommand } from '../command.ts'

export const apiKeyCommand = defineCommand({
  name: 'api-key',
  args: '<id>',
  summary: 'Make a new API key for the ingest gateway and print the line that accepts it.',
  description:
    'Prints a random key (give it to the till or integration, once: it is not stored anywhere) and the ' +
    'line to add to GATEWAY_API_KEYS or the file named by GATEWAY_API_KEYS_FILE, which holds only the ' +
    'key’s SHA-256. Append :rate=<events/s> to the line for a per-key limit; change it to ' +
    '<id>:<hash>:revoked to revoke the key (answered 403).',
  minPositionals: 1,
  maxPositionals: 1,
  examples: ['sretl api-key till-berlin-01', 'sretl api-key webshop >> /etc/sretl/gateway-keys.txt'],
  run({ ui, positionals }) {
    const id = positionals[0] ?? ''
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(id)) {
      throw new SretlError('USAGE', `the key id must be 1–64 letters, digits, . _ - (got "${id}")`)
    }
    const { key, line } = newApiKey(id)
    process.stderr.write(
      `API key for ${id} (shown once; send it as Authorization: Bearer <key>):\n  ${key}\n`,
    )
    process.stderr.write('Gateway configuration line (GATEWAY_API_KEYS or GATEWAY_API_KEYS_FILE):\n')
    ui.line(line)
    return Promise.resolve()
  },
})

/**
 * `sretl up`'s options: --brokers becomes KAFKA_LOCAL_BROKERS (so the components' default
 * bootstrap names every node too), and secure mode insists on a single broker.
 */
import type { Env } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import type { CommandContext } from '../command.ts'

export interface UpOptions {
  /** The environment with the options applied: what the stack and its components read. */
  readonly env: Env
  readonly secure: boolean
  readonly components: boolean
  readonly monitoring: boolean
}

export function parseUpOptions(given: Env, values: CommandContext['values']): UpOptions {
  const brokers = typeof values.brokers === 'string' ? values.brokers.trim() : undefined
  if (brokers !== undefined && brokers !== '1' && brokers !== '3') {
    throw new SretlError('USAGE', `--brokers must be 1 or 3, got "${brokers}"`)
  }
  return {
    env: brokers === undefined ? given : { ...given, KAFKA_LOCAL_BROKERS: brokers },
    secure: values.secure === true,
    components: values['no-components'] !== true,
    monitoring: values['no-monitoring'] !== true,
  }
}

/** After the config is read: KAFKA_LOCAL_BROKERS may ask for three nodes without --brokers. */
export function assertSecureBrokers(options: UpOptions, localBrokers: number): void {
  if (options.secure && localBrokers !== 1) {
    throw new SretlError(
      'USAGE',
      'secure mode runs a single Kafka broker: `sretl up --secure` cannot be combined with --brokers 3 (KAFKA_LOCAL_BROKERS=3)',
    )
  }
}

/**
 * `sretl up --secure`: everything secure mode needs before the stack starts — the CA, Kafka's
 * users and ACLs (src/stack/secure-stack.ts), PostgreSQL over TLS in a private cluster
 * (src/stack/secure-database.ts), generated secrets where plain mode has well-known defaults
 * (the gateway key, the simulator's loyalty HMAC key), SRETL_SECURE=true for every component so
 * a well-known value refuses to start, and a file of settings for `sretl` commands run by hand.
 */
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { newApiKey } from '../gateway/api-keys.ts'
import { landerOwnSection } from '../lander/config.ts'
import type { BaseConfig } from '../platform/base-config.ts'
import { loadConfig, type Env } from '../platform/config.ts'
import { writeSecret } from '../stack/local-ca.ts'
import { secureDatabase } from '../stack/secure-database.ts'
import { prepareSecureStack, type SecureStack } from '../stack/secure-stack.ts'

export interface SecureSetup {
  readonly stack: SecureStack
  /** The environment to start the stack with (gateway keys added when none were configured). */
  readonly env: Record<string, string | undefined>
  /** Where the settings for `sretl` commands by hand are (source it: `set -a; . <file>`). */
  readonly toolsEnvFile: string
  /** The generated gateway API key's file, when this run made or reused it. */
  readonly gatewayKeyFile: string | undefined
  /** Stops and drops the private PostgreSQL cluster (nothing when DATABASE_URL names a server). */
  stopDatabase(): Promise<void>
}

export async function prepareSecureMode(env: Env, config: BaseConfig): Promise<SecureSetup> {
  // a server named by DATABASE_URL is the operator's: its TLS comes from DATABASE_SSL_MODE/_CA_FILE
  const database = config.postgres.explicit
    ? undefined
    : secureDatabase({ home: config.paths.home, loginPrefix: config.postgres.loginPrefix })
  let stack: SecureStack
  try {
    stack = await prepareSecureStack({
      paths: config.paths,
      topicPrefix: config.kafka.topicPrefix,
      clientId: config.kafka.clientId,
      landerGroup: loadConfig(env, landerOwnSection).groupId,
      ...(database ? { postgresTls: database.hook } : {}),
    })
  } catch (err) {
    await database?.stop()
    throw err
  }
  const secrets = join(config.paths.home, 'secrets')
  const out: Record<string, string | undefined> = { ...env, ...stack.postgresEnv, SRETL_SECURE: 'true' }
  if (![env.SIMULATOR_LOYALTY_KEY, env.SIMULATOR_LOYALTY_KEY_FILE].some((v) => v?.trim())) {
    const loyaltyKeyFile = join(secrets, 'simulator-loyalty.key')
    if (!existsSync(loyaltyKeyFile)) writeSecret(loyaltyKeyFile, `${randomBytes(32).toString('base64url')}\n`)
    out.SIMULATOR_LOYALTY_KEY_FILE = loyaltyKeyFile
  }
  let gatewayKeyFile: string | undefined
  const keysConfigured = [env.GATEWAY_API_KEYS, env.GATEWAY_API_KEYS_FILE].some((v) => v?.trim())
  if (!keysConfigured) {
    // no well-known key in secure mode: one generated key, kept beside its hash (both 0600)
    gatewayKeyFile = join(secrets, 'gateway-local.key')
    const keysFile = join(secrets, 'gateway-api-keys')
    if (!existsSync(gatewayKeyFile) || !existsSync(keysFile)) {
      const { key, line } = newApiKey('local')
      writeSecret(gatewayKeyFile, `${key}\n`)
      writeSecret(keysFile, `${line}\n`)
    }
    out.GATEWAY_API_KEYS_FILE = keysFile
    out.GATEWAY_ALLOW_DEV_KEY = 'false'
  }
  const toolsEnvFile = join(secrets, 'tools.env')
  const toolsEnv = {
    ...stack.toolsEnv,
    KAFKA_BOOTSTRAP_SERVERS: config.kafka.bootstrapServers.join(','),
    SRETL_HOME: config.paths.home,
  }
  const text = Object.entries(toolsEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join('\n')
  if (!existsSync(toolsEnvFile) || readFileSync(toolsEnvFile, 'utf8') !== `${text}\n`) {
    writeSecret(toolsEnvFile, `${text}\n`)
  }
  return {
    stack,
    env: out,
    toolsEnvFile,
    gatewayKeyFile,
    stopDatabase: async () => {
      await database?.stop()
    },
  }
}

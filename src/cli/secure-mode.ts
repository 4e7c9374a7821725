/**
 * `sretl up --secure`: everything secure mode needs before the stack starts — the CA, Kafka's
 * users and ACLs (src/stack/secure-stack.ts), a generated gateway API key instead of the
 * well-known development key, and a file of settings for `sretl` commands run by hand.
 */
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { newApiKey } from '../gateway/api-keys.ts'
import { landerOwnSection } from '../lander/config.ts'
import type { BaseConfig } from '../platform/base-config.ts'
import { loadConfig, type Env } from '../platform/config.ts'
import { writeSecret } from '../stack/local-ca.ts'
import { prepareSecureStack, type PostgresTlsHook, type SecureStack } from '../stack/secure-stack.ts'

/**
 * PostgreSQL TLS in secure mode (the private cluster with ssl=on, hostssl … scram-sha-256 and a
 * reject line). Unset here: PostgreSQL runs as in plain mode. Wiring it = assigning a hook that
 * issues the `postgres` certificate from the CA, starts the cluster with it and returns the
 * components' environment (DATABASE_URL with sslmode=verify-full, the PG CA file).
 */
export const POSTGRES_TLS_HOOK: PostgresTlsHook | undefined = undefined

export interface SecureSetup {
  readonly stack: SecureStack
  /** The environment to start the stack with (gateway keys added when none were configured). */
  readonly env: Record<string, string | undefined>
  /** Where the settings for `sretl` commands by hand are (source it: `set -a; . <file>`). */
  readonly toolsEnvFile: string
  /** The generated gateway API key's file, when this run made or reused it. */
  readonly gatewayKeyFile: string | undefined
}

export async function prepareSecureMode(env: Env, config: BaseConfig): Promise<SecureSetup> {
  const stack = await prepareSecureStack({
    paths: config.paths,
    topicPrefix: config.kafka.topicPrefix,
    clientId: config.kafka.clientId,
    landerGroup: loadConfig(env, landerOwnSection).groupId,
    ...(POSTGRES_TLS_HOOK ? { postgresTls: POSTGRES_TLS_HOOK } : {}),
  })
  const secrets = join(config.paths.home, 'secrets')
  const out: Record<string, string | undefined> = { ...env }
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
  return { stack, env: out, toolsEnvFile, gatewayKeyFile }
}

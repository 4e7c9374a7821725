/**
 * `sretl` commands against a stack started with `sretl up --secure`: the stack's state names its
 * settings file ($SRETL_HOME/secrets/tools.env: Kafka's SASL_SSL settings as the `tools` user,
 * PostgreSQL's TLS URL and password file), and every command but `up` reads it, under whatever
 * the environment sets itself — the same as `set -a; . tools.env; set +a` by hand.
 */
import { readFileSync } from 'node:fs'
import { loadConfig, type Env } from '../platform/config.ts'
import { pathsSection } from '../platform/base-config.ts'
import { readStackState } from '../stack/state.ts'

export function withSecureStackEnv(env: Env): Env {
  let toolsEnvFile: string | undefined
  try {
    toolsEnvFile = readStackState(loadConfig(env, pathsSection).run)?.secure?.toolsEnvFile
  } catch {
    // bad path settings: the command itself reports them
    return env
  }
  if (toolsEnvFile === undefined) return env
  let text: string
  try {
    text = readFileSync(toolsEnvFile, 'utf8')
  } catch {
    return env
  }
  const file: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const at = line.indexOf('=')
    if (at > 0 && !line.startsWith('#')) file[line.slice(0, at).trim()] = line.slice(at + 1)
  }
  return { ...file, ...env }
}

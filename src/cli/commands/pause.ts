import { landerOwnSection } from '../../lander/config.ts'
import { baseConfigSection } from '../../platform/base-config.ts'
import { combineSections, loadConfig, type Env } from '../../platform/config.ts'
import { errorMessage, SretlError } from '../../platform/errors.ts'
import { createPool } from '../../platform/postgres.ts'
import { defineCommand, type Command } from '../command.ts'
import type { Ui } from '../ui.ts'
import { actorName } from './maintain.ts'

/** The components these commands can pause: only the lander so far. */
const PAUSABLE = ['lander'] as const

function controlCommand(action: 'pause' | 'resume'): Command {
  return defineCommand({
    name: action,
    args: '<component>',
    summary:
      action === 'pause'
        ? 'Pause a component’s flow (the lander stops fetching; what it holds still lands).'
        : 'Resume a paused component.',
    description:
      `Sends POST /${action} to the component's HTTP port and prints its state. Components: ${PAUSABLE.join(', ')}. ` +
      'Idempotent. The action is written to audit_log (best effort).',
    options: {
      reason: {
        type: 'string',
        valueName: 'text',
        description: 'Why (kept in the log and the audit trail).',
      },
      url: {
        type: 'string',
        valueName: 'url',
        description: 'The component’s address; default http://127.0.0.1:$LANDER_PORT.',
      },
    },
    minPositionals: 1,
    maxPositionals: 1,
    examples: [`sretl ${action} lander`, `sretl ${action} lander --reason "database maintenance"`],
    async run({ env, ui, positionals, values }) {
      const component = positionals[0] ?? ''
      if (!(PAUSABLE as readonly string[]).includes(component)) {
        throw new SretlError('USAGE', `cannot ${action} "${component}"; components: ${PAUSABLE.join(', ')}`)
      }
      const config = loadConfig(env, combineSections({ base: baseConfigSection, lander: landerOwnSection }))
      const url = typeof values.url === 'string' ? values.url : `http://127.0.0.1:${config.lander.port}`
      const reason = typeof values.reason === 'string' ? values.reason : `sretl ${action}`
      const before = await call(url, 'GET', '/status')
      const after = await call(url, 'POST', `/${action}`, { reason })
      ui.line(
        `${component} at ${url}: ${after.state}${after.state === 'FAILED' ? ` (${after.lastError?.message ?? ''})` : ''}`,
      )
      await audit(env, config.base.postgres, ui, {
        action,
        component,
        reason,
        before: before.state,
        after: after.state,
      })
    },
  })
}

interface StatusReply {
  state: string
  lastError?: { message: string }
}

async function call(
  base: string,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<StatusReply> {
  let response: Response
  try {
    response = await fetch(`${base}${path}`, {
      method,
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined
        ? {}
        : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    })
  } catch (err) {
    throw new SretlError(
      'LANDER_UNREACHABLE',
      `no answer from ${base}: ${errorMessage(err)}; is it running?`,
      {
        cause: err,
      },
    )
  }
  if (!response.ok) {
    throw new SretlError('LANDER_UNREACHABLE', `${method} ${base}${path} answered ${response.status}`)
  }
  return (await response.json()) as StatusReply
}

async function audit(
  env: Env,
  postgres: Parameters<typeof createPool>[0],
  ui: Ui,
  entry: { action: string; component: string; reason: string; before: string; after: string },
): Promise<void> {
  const pool = createPool(postgres, { applicationName: 'sretl-cli', role: 'sretl_writer', max: 1 })
  try {
    await pool.query(
      `INSERT INTO audit_log (actor, role, action, target, before, after, result, detail)
       VALUES ($1, 'operator', $2, $3, $4, $5, 'ok', $6)`,
      [
        `cli:${actorName(env.USER)}`,
        entry.action,
        entry.component,
        JSON.stringify({ state: entry.before }),
        JSON.stringify({ state: entry.after }),
        JSON.stringify({ reason: entry.reason }),
      ],
    )
  } catch (err) {
    ui.warn(`the ${entry.action} is done, but writing it to audit_log failed: ${errorMessage(err)}`)
  } finally {
    await pool.end()
  }
}

export const pauseCommand = controlCommand('pause')
export const resumeCommand = controlCommand('resume')

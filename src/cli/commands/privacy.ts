import { chmodSync, writeFileSync } from 'node:fs'
import { baseConfigSection } from '../../platform/base-config.ts'
import { combineSections, loadConfig, type Env } from '../../platform/config.ts'
import { SretlError } from '../../platform/errors.ts'
import { strictReason } from '../../platform/live-defaults.ts'
import { createPool } from '../../platform/postgres.ts'
import { securitySection } from '../../platform/security-config.ts'
import { simulatorSection } from '../../simulator/config.ts'
import { defineCommand } from '../command.ts'
import {
  defaultRegisterFile,
  eraseSubject,
  exportSubject,
  privacySection,
  readRegister,
  reapplyErasures,
  subjectRef,
} from '../privacy.ts'
import { formatCount } from '../ui.ts'
import { actorName } from './maintain.ts'

const ACTIONS = ['export', 'erase', 'reapply'] as const
type Action = (typeof ACTIONS)[number]

export const privacyCommand = defineCommand({
  name: 'privacy',
  args: '<export|erase|reapply>',
  summary:
    'Answer a data subject: export or erase every sale line of one loyalty customer; re-apply erasures.',
  description:
    'export prints (or writes with --out, mode 0600) every sale line carrying the customer_ref, as JSON, with where ' +
    'else the reference may be. erase removes the customer_ref from every such line in one transaction (the sale ' +
    'stays: the aggregates hold no personal data and stay exact), writes an audit row, and appends the SHA-256 of the ' +
    'reference to the erasure register (PRIVACY_REGISTER_FILE). reapply applies every erasure in the register again: ' +
    'run it after restoring a backup older than an erasure. Name the person with --customer-ref (the 64 hex ' +
    'characters the events carry) or --loyalty-id (hashed with SIMULATOR_LOYALTY_KEY, the chain’s HMAC key). Uses the ' +
    'administrator login (DATABASE_URL). docs/data-protection.md has the policy.',
  options: {
    'customer-ref': { type: 'string', valueName: 'hex', description: 'The customer_ref of the person.' },
    'loyalty-id': {
      type: 'string',
      valueName: 'id',
      description: 'The loyalty card id of the person (hashed with the chain’s key).',
    },
    out: { type: 'string', valueName: 'file', description: 'export: write the JSON to this new file.' },
    yes: { type: 'boolean', description: 'erase: confirm; without it erase only says what it would do.' },
  },
  minPositionals: 1,
  maxPositionals: 1,
  examples: [
    'sretl privacy export --loyalty-id LY-DE-004211 --out request-42.json',
    'sretl privacy erase --customer-ref 3f2a…(64 hex) --yes',
    'sretl privacy reapply',
  ],
  async run({ env, ui, values, positionals }) {
    const action = positionals[0] as Action
    if (!ACTIONS.includes(action)) {
      throw new SretlError('USAGE', `unknown action "${positionals[0]}": use export, erase or reapply`)
    }
    const config = loadConfig(env, combineSections({ base: baseConfigSection, privacy: privacySection }))
    const registerFile = config.privacy.registerFile ?? defaultRegisterFile(config.base.paths.home)
    const actor = `cli:${actorName(env.USER)}`
    const pool = createPool(config.base.postgres, {
      applicationName: 'sretl-privacy',
      role: 'sretl_owner',
      max: 1,
    })
    try {
      if (action === 'reapply') {
        const digests = readRegister(registerFile)
        const n = await reapplyErasures(pool, { digests, actor })
        ui.line(
          digests.length === 0
            ? `The erasure register ${registerFile} is empty or absent: nothing to apply.`
            : `Applied ${digests.length} erasure(s) from ${registerFile}: ${formatCount(n)} sale line(s) had a customer_ref again and lost it.`,
        )
        return 0
      }
      const ref = subjectRef(
        {
          ...(typeof values['customer-ref'] === 'string' ? { customerRef: values['customer-ref'] } : {}),
          ...(typeof values['loyalty-id'] === 'string' ? { loyaltyId: values['loyalty-id'] } : {}),
        },
        () => loyaltyKey(env),
      )
      if (action === 'export') {
        const answer = await exportSubject(pool, ref, new Date())
        const json = `${JSON.stringify(answer, null, 2)}\n`
        if (typeof values.out === 'string') {
          writeFileSync(values.out, json, { mode: 0o600, flag: 'wx' })
          chmodSync(values.out, 0o600)
          ui.line(
            `Wrote ${formatCount(answer.saleLines.length)} sale line(s) of ${ref.slice(0, 12)}… to ${values.out}.`,
          )
        } else {
          ui.line(json.trimEnd())
        }
        return 0
      }
      if (values.yes !== true) {
        const { rows } = await pool.query<{ n: string }>(
          'SELECT count(*)::text AS n FROM sales_raw WHERE customer_ref = $1',
          [ref],
        )
        ui.line(
          `Would erase the customer_ref ${ref.slice(0, 12)}… from ${formatCount(Number(rows[0]?.n ?? 0))} sale line(s). Add --yes to do it.`,
        )
        return 1
      }
      const outcome = await eraseSubject(pool, { ref, actor, registerFile, now: new Date() })
      ui.line(
        `Erased the customer_ref from ${formatCount(outcome.erasedLines)} sale line(s); audited as privacy.erase, recorded in ${registerFile} (SHA-256 ${outcome.digest.slice(0, 12)}…).`,
      )
      return 0
    } finally {
      await pool.end()
    }
  },
})

/** The chain's HMAC key; the development default is refused where live defaults are. */
function loyaltyKey(env: Env): string {
  const simulator = loadConfig(env, simulatorSection)
  if (simulator.loyaltyKeyIsDefault) {
    const reason = strictReason(loadConfig(env, securitySection), undefined)
    if (reason !== undefined) {
      throw new SretlError(
        'LIVE_DEFAULT_REFUSED',
        `refusing to hash loyalty ids with the development key in ${reason}: set SIMULATOR_LOYALTY_KEY_FILE`,
      )
    }
  }
  return simulator.receipts.loyaltyKey
}

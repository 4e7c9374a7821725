import { landerOwnSection } from '../../lander/config.ts'
import { baseConfigSection } from '../../platform/base-config.ts'
import { combineSections, loadConfig } from '../../platform/config.ts'
import { errorMessage, SretlError } from '../../platform/errors.ts'
import type { Admin } from '@platformatic/kafka'
import { assertGroupIdle, createAdmin } from '../../platform/kafka.ts'
import { createPool, type Pool } from '../../platform/postgres.ts'
import { topicNames } from '../../platform/topics.ts'
import { defineCommand, type CommandContext } from '../command.ts'
import { actorName } from './maintain.ts'

export const resetOffsetsCommand = defineCommand({
  name: 'reset-offsets',
  args: 'lander',
  summary:
    'Replay: move the landers’ stored offsets (earliest, latest or a time); rows already landed are not doubled.',
  description:
    'The landers resume from the offsets stored in PostgreSQL (consumer_offsets), not from Kafka’s committed ' +
    'offsets, so resetting the group with Kafka’s tools changes nothing; this command moves the stored offsets ' +
    '(and Kafka’s, for lag tools). It refuses while a lander of the group runs: stop them first. Events read ' +
    'again are recognised by their key and not landed twice. Written to audit_log.',
  options: {
    'to-earliest': { type: 'boolean', description: 'From the first record Kafka still has.' },
    'to-latest': {
      type: 'boolean',
      description: 'Skip everything up to now (those records are never landed).',
    },
    'to-datetime': {
      type: 'string',
      valueName: 'iso-time',
      description: 'From the first record produced at or after this time (e.g. 2026-11-30T08:00:00Z).',
    },
  },
  minPositionals: 1,
  maxPositionals: 1,
  examples: [
    'sretl reset-offsets lander --to-earliest',
    'sretl reset-offsets lander --to-datetime 2026-11-30T08:00:00Z',
  ],
  async run({ env, ui, positionals, values }) {
    if (positionals[0] !== 'lander')
      throw new SretlError('USAGE', 'only the lander’s offsets can be reset: `sretl reset-offsets lander`')
    const { to, timestamp } = resetTarget(values)
    const config = loadConfig(env, combineSections({ base: baseConfigSection, lander: landerOwnSection }))
    const group = config.lander.groupId
    const topic = topicNames(config.base.kafka).salesEvents
    const admin = createAdmin(config.base.kafka, 'reset-offsets')
    const pool = createPool(config.base.postgres, {
      applicationName: 'sretl-reset-offsets',
      role: 'sretl_writer',
      max: 1,
    })
    try {
      await assertGroupIdle(admin, group)
      const metadata = await admin.metadata({ topics: [topic] })
      const count = metadata.topics.get(topic)?.partitionsCount ?? 0
      const partitions = Array.from({ length: count }, (_, p) => p)
      const target = await targetOffsets(admin, topic, partitions, timestamp)
      const before = await pool.query<{ partition: number; next_offset: string }>(
        'SELECT partition, next_offset::text AS next_offset FROM consumer_offsets WHERE consumer_group = $1 AND topic = $2',
        [group, topic],
      )
      const previous = new Map(before.rows.map((r) => [r.partition, r.next_offset]))
      await storeOffsets(pool, {
        actor: `cli:${actorName(env.USER)}`,
        group,
        topic,
        previous,
        target: new Map(partitions.map((p) => [p, target.get(p) ?? 0n])),
        detail: { to, value: values['to-datetime'] ?? null },
      })
      try {
        await admin.alterConsumerGroupOffsets({
          groupId: group,
          topics: [
            {
              name: topic,
              partitionOffsets: partitions.map((p) => ({ partition: p, offset: target.get(p) ?? 0n })),
            },
          ],
        })
      } catch (err) {
        ui.warn(
          `stored offsets reset; Kafka's committed offsets (informational) were not: ${errorMessage(err)}`,
        )
      }
      ui.table(
        partitions.map((p) => [String(p), previous.get(p) ?? '-', String(target.get(p) ?? 0n)]),
        ['partition', 'stored before', 'stored now'],
      )
      ui.line(`Offsets of ${group} on ${topic} reset; the landers resume there when they start.`)
    } finally {
      await admin.close().catch(() => undefined)
      await pool.end()
    }
  },
})

type ResetTo = 'to-earliest' | 'to-latest' | 'to-datetime'

/** The one option given, and the ListOffsets timestamp it means (-2 earliest, -1 latest). */
export function resetTarget(values: CommandContext['values']): { to: ResetTo; timestamp: bigint } {
  const chosen = (['to-earliest', 'to-latest', 'to-datetime'] as const).filter(
    (o) => values[o] !== undefined && values[o] !== false,
  )
  const to = chosen[0]
  if (chosen.length !== 1 || to === undefined) {
    throw new SretlError('USAGE', 'give exactly one of --to-earliest, --to-latest, --to-datetime <iso-time>')
  }
  if (to !== 'to-datetime') return { to, timestamp: to === 'to-earliest' ? -2n : -1n }
  const ms = Date.parse(String(values['to-datetime']))
  if (Number.isNaN(ms))
    throw new SretlError('USAGE', `--to-datetime: "${String(values['to-datetime'])}" is not a time`)
  return { to, timestamp: BigInt(ms) }
}

async function targetOffsets(
  admin: Admin,
  topic: string,
  partitions: readonly number[],
  timestamp: bigint,
): Promise<Map<number, bigint>> {
  const listed = async (ts: bigint): Promise<Map<number, bigint>> => {
    const [result] = await admin.listOffsets({
      topics: [{ name: topic, partitions: partitions.map((p) => ({ partitionIndex: p, timestamp: ts })) }],
    })
    return new Map((result?.partitions ?? []).map((p) => [p.partitionIndex, p.offset]))
  }
  const target = await listed(timestamp)
  if (timestamp >= 0n) {
    // no record at or after the time: start at the end
    const latest = await listed(-1n)
    for (const p of partitions) if ((target.get(p) ?? -1n) < 0n) target.set(p, latest.get(p) ?? 0n)
  }
  return target
}

/** The stored offsets and their audit row, in one transaction: the landers resume from these. */
async function storeOffsets(
  pool: Pool,
  reset: {
    readonly actor: string
    readonly group: string
    readonly topic: string
    readonly previous: ReadonlyMap<number, string>
    readonly target: ReadonlyMap<number, bigint>
    readonly detail: Record<string, unknown>
  },
): Promise<void> {
  const partitions = [...reset.target.keys()]
  const offsets = partitions.map((p) => String(reset.target.get(p) ?? 0n))
  const client = await pool.connect()
  try {
    await client.query('BEGIN')
    await client.query(
      `INSERT INTO consumer_offsets (consumer_group, topic, partition, next_offset, updated_at)
       SELECT $1, $2, t.p, t.o, now() FROM unnest($3::int[], $4::bigint[]) AS t(p, o)
       ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
      [reset.group, reset.topic, partitions, offsets],
    )
    await client.query(
      `INSERT INTO audit_log (actor, role, action, target, before, after, result, detail)
       VALUES ($1, 'operator', 'offsets.reset', $2, $3, $4, 'ok', $5)`,
      [
        reset.actor,
        `${reset.group}/${reset.topic}`,
        JSON.stringify(Object.fromEntries(reset.previous)),
        JSON.stringify(Object.fromEntries(partitions.map((p, i) => [p, offsets[i]]))),
        JSON.stringify(reset.detail),
      ],
    )
    await client.query('COMMIT')
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined)
    throw err
  } finally {
    client.release()
  }
}

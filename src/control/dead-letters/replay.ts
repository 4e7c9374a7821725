/**
 * Replaying dead letters to the input topic after a fix: one, or every held one of a reason.
 * Each goes back with its original key (so to the same partition) and bytes, its original
 * headers without the lander's dead-letter headers, and replay headers (replay.count, .of, .at,
 * .by): should it fail again, its new dead letter shows how often it went round. Rules:
 * a dead letter is replayed at most once (by its topic position — the audit trail remembers
 * which across restarts), never more than `maxReplays` times in a chain, at most
 * `ratePerSec` a second and `maxPerRequest` per request, one replay at a time. Each request is
 * one audit row listing the positions it sent.
 */
import type { BytesMessage } from '../../platform/kafka.ts'
import { TokenBucket } from '../../platform/token-bucket.ts'
import { sleep } from '../../platform/lifecycle.ts'
import type { Actor, CommandOutcome, Commander } from '../commands/commander.ts'
import { DLQ_HEADERS } from '../../platform/topics.ts'
import { positionKey, replayCount, REPLAY_HEADERS, type DeadLetter, type DlqIndex } from './held-index.ts'
import { errorMessage } from '../../platform/errors.ts'

export interface ReplaySettings {
  readonly ratePerSec: number
  readonly maxPerRequest: number
  readonly maxReplays: number
}

export interface ReplayDeps {
  readonly index: DlqIndex
  /** Sends and waits for Kafka's acknowledgement (sendWithTimeout). */
  readonly send: (messages: BytesMessage[]) => Promise<unknown>
  readonly topic: string
  readonly dlqTopic: string
  readonly settings: ReplaySettings
  readonly commander: Commander
  readonly clock: () => number
  /** Positions replayed before (from the audit trail), "partition:offset". */
  readonly replayed: Set<string>
}

const OWN = new Set<string>([...Object.values(DLQ_HEADERS), ...Object.values(REPLAY_HEADERS)])
const CHUNK = 100

export function replayMessage(
  record: DeadLetter,
  topic: string,
  dlqTopic: string,
  by: string,
  at: Date,
): BytesMessage {
  const headers = new Map<string, string>()
  for (const [k, v] of record.headers) if (!OWN.has(k)) headers.set(k, v)
  headers.set(REPLAY_HEADERS.count, String(replayCount(record) + 1))
  headers.set(REPLAY_HEADERS.of, `${dlqTopic}/${record.partition}/${record.offset}`)
  headers.set(REPLAY_HEADERS.at, at.toISOString())
  headers.set(REPLAY_HEADERS.by, by)
  return {
    topic,
    ...(record.key.byteLength > 0 ? { key: record.key } : {}),
    value: record.value,
    headers,
  }
}

export function createReplayer(deps: ReplayDeps) {
  const bucket = new TokenBucket({
    ratePerSec: deps.settings.ratePerSec,
    burst: Math.max(1, Math.min(CHUNK, deps.settings.ratePerSec)),
    clock: deps.clock,
  })
  const run: ReplayRun = { deps, paced: pacedSender(bucket, deps.send), lock: { busy: false } }

  return {
    one(actor: Actor, partition: number, offset: bigint): Promise<CommandOutcome> {
      const record = deps.index.get(partition, offset)
      return replay(run, actor, `${deps.dlqTopic}/${partition}/${offset}`, record ? [record] : [], true)
    },
    reason(actor: Actor, reason: string): Promise<CommandOutcome> {
      return replay(run, actor, `reason:${reason}`, deps.index.ofReason(reason), false)
    },
    /** Whether a held dead letter was replayed (for the panel's list). */
    wasReplayed(record: DeadLetter): boolean {
      return deps.replayed.has(positionKey(record.partition, record.offset))
    },
  }
}

/** What every replay request shares: the dependencies, the paced sender, one replay at a time. */
interface ReplayRun {
  readonly deps: ReplayDeps
  readonly paced: (messages: BytesMessage[]) => Promise<void>
  readonly lock: { busy: boolean }
}

interface ReplayRecord {
  readonly command: 'dlq.replay'
  readonly target: string
}

/** Which of the asked-for dead letters go back, which are skipped and why, how many wait. */
interface ReplayPlan {
  readonly chosen: readonly DeadLetter[]
  readonly skipped: readonly { partition: number; offset: string; why: string }[]
  readonly remaining: number
}

async function replay(
  run: ReplayRun,
  actor: Actor,
  target: string,
  records: readonly DeadLetter[],
  single: boolean,
): Promise<CommandOutcome> {
  const { commander } = run.deps
  const rec: ReplayRecord = { command: 'dlq.replay', target }
  const denied = commander.forbidden(actor, rec, 'operator')
  if (denied) return denied
  if (records.length === 0) {
    return commander.refuse(
      actor,
      rec,
      'DEAD_LETTER_NOT_FOUND',
      single
        ? 'no such dead letter is held (it may be older than the newest ones the control service keeps)'
        : `no dead letter of reason ${target.replace(/^reason:/, '')} is held`,
    )
  }
  const plan = planReplay(records, run.deps)
  if (single && plan.chosen.length === 0) return nothingToSend(run.deps.commander, actor, rec, plan)
  if (run.lock.busy) {
    return commander.refuse(
      actor,
      rec,
      'REPLAY_IN_PROGRESS',
      'another replay is running; try again when it has finished',
    )
  }
  run.lock.busy = true
  try {
    return await send(run, actor, rec, plan)
  } finally {
    run.lock.busy = false
  }
}

function planReplay(records: readonly DeadLetter[], deps: ReplayDeps): ReplayPlan {
  const skipped = records.flatMap((r) => {
    const why = whyNotReplay(r, deps)
    return why ? [{ partition: r.partition, offset: r.offset.toString(), why }] : []
  })
  const chosen = records
    .filter((r) => whyNotReplay(r, deps) === undefined)
    .slice(0, deps.settings.maxPerRequest)
  return { chosen, skipped, remaining: records.length - skipped.length - chosen.length }
}

/** One dead letter asked for that may not go back: done already (ok), or refused with why. */
function nothingToSend(
  commander: Commander,
  actor: Actor,
  rec: ReplayRecord,
  plan: ReplayPlan,
): Promise<CommandOutcome> {
  const { skipped } = plan
  const why = skipped[0]?.why ?? ''
  if (why !== 'already replayed') return commander.refuse(actor, rec, 'REPLAY_REFUSED', why)
  return commander.record(
    actor,
    { ...rec, detail: { replayed: [], skipped, changed: false } },
    {
      kind: 'ok',
      body: {
        replayed: 0,
        skipped,
        remaining: 0,
        message: 'this dead letter was replayed before; nothing sent again',
      },
    },
  )
}

/** Sends the chosen ones in paced chunks; a Kafka failure stops it, reporting how far it got. */
async function send(
  run: ReplayRun,
  actor: Actor,
  rec: ReplayRecord,
  plan: ReplayPlan,
): Promise<CommandOutcome> {
  const { deps } = run
  const { chosen, skipped, remaining } = plan
  const at = new Date(deps.clock())
  const sent: string[] = []
  try {
    const messages = chosen.map((r) => replayMessage(r, deps.topic, deps.dlqTopic, actor.user, at))
    for (let i = 0; i < messages.length; i += CHUNK) {
      await run.paced(messages.slice(i, i + CHUNK))
      for (const r of chosen.slice(i, i + CHUNK)) {
        const key = positionKey(r.partition, r.offset)
        deps.replayed.add(key)
        sent.push(key)
      }
    }
    return await deps.commander.record(
      actor,
      { ...rec, detail: { replayed: sent, skipped: skipped.length, remaining, topic: deps.topic } },
      { kind: 'ok', body: { replayed: sent.length, skipped, remaining, topic: deps.topic } },
    )
  } catch (err) {
    const message = errorMessage(err)
    return await deps.commander.record(
      actor,
      { ...rec, detail: { replayed: sent, code: 'KAFKA_UNAVAILABLE', message } },
      {
        kind: 'failed',
        code: 'KAFKA_UNAVAILABLE',
        message: `replay stopped after ${sent.length} of ${chosen.length}: ${message}`,
        extra: { replayed: sent.length },
      },
    )
  }
}

export type Replayer = ReturnType<typeof createReplayer>

/** Why a held dead letter is not replayed, or undefined when it may be. */
function whyNotReplay(
  r: DeadLetter,
  deps: Pick<ReplayDeps, 'index' | 'settings' | 'replayed'>,
): string | undefined {
  if (deps.replayed.has(positionKey(r.partition, r.offset))) return 'already replayed'
  if (r.truncated) return `larger than ${deps.index.maxRecordBytes} bytes: held cut short, cannot be replayed`
  if (replayCount(r) >= deps.settings.maxReplays) {
    return `replayed ${replayCount(r)} times already and failed each time (limit ${deps.settings.maxReplays}): fix the cause first`
  }
  return undefined
}

/** Sends in chunks no faster than the bucket allows (REPLAY_RATE): a replay never floods the topic. */
function pacedSender(bucket: TokenBucket, send: ReplayDeps['send']) {
  return async (messages: BytesMessage[]): Promise<void> => {
    for (let i = 0; i < messages.length; i += CHUNK) {
      const chunk = messages.slice(i, i + CHUNK)
      for (;;) {
        const taken = bucket.take(Math.min(chunk.length, bucket.burst))
        if (taken.ok) break
        await sleep(Math.min(1000, taken.retryAfterMs))
      }
      await send(chunk)
    }
  }
}

/**
 * Dead letters: a refused record goes to sales.events.dlq.v1 with its original key and bytes,
 * its original headers, and headers saying why and where it came from. The control panel browses
 * and replays them by these names (docs/architecture.md lists them); they are a contract.
 */
import type { BytesMessage } from '../platform/kafka.ts'
import { DLQ_HEADERS } from '../platform/topics.ts'
import type { LanderRecord, Rejection } from './records.ts'

export { DLQ_HEADERS }

const OWN_HEADERS = new Set<string>(Object.values(DLQ_HEADERS))

export function deadLetterMessage(
  dlqTopic: string,
  sourceTopic: string,
  record: LanderRecord,
  rejection: Rejection,
): BytesMessage {
  const headers = new Map<string, string>()
  // the original headers travel along (a replay restores them); ours take precedence
  for (const [name, value] of record.source.headers) if (!OWN_HEADERS.has(name)) headers.set(name, value)
  headers.set(DLQ_HEADERS.code, rejection.code)
  headers.set(DLQ_HEADERS.message, rejection.message)
  headers.set(DLQ_HEADERS.sourceTopic, sourceTopic)
  headers.set(DLQ_HEADERS.sourcePartition, String(record.source.partition))
  headers.set(DLQ_HEADERS.sourceOffset, record.source.offset.toString())
  headers.set(DLQ_HEADERS.firstSeen, new Date(record.seenAtMs).toISOString())
  return {
    topic: dlqTopic,
    ...(record.source.key.byteLength > 0 ? { key: record.source.key } : {}),
    value: record.source.value,
    headers,
  }
}

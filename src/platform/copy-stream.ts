/**
 * Streams COPY text lines into PostgreSQL on a client (inside its transaction), in chunks of a
 * bounded size so a large batch is never one giant string.
 */
import { Readable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { from as copyFromStdin } from 'pg-copy-streams'
import type { PoolClient } from './postgres.ts'

const CHUNK_CHARS = 256 * 1024

export function* chunkLines(lines: readonly string[], chunkChars = CHUNK_CHARS): Generator<Buffer> {
  let parts: string[] = []
  let size = 0
  for (const line of lines) {
    parts.push(line)
    size += line.length
    if (size >= chunkChars) {
      yield Buffer.from(parts.join(''), 'utf8')
      parts = []
      size = 0
    }
  }
  if (parts.length > 0) yield Buffer.from(parts.join(''), 'utf8')
}

export async function copyFrom(client: PoolClient, sql: string, lines: readonly string[]): Promise<void> {
  const target = client.query(copyFromStdin(sql))
  await pipeline(Readable.from(chunkLines(lines), { objectMode: false }), target)
}

/**
 * What the CLI shows people: plain lines, tables, and progress of long steps (one line updated
 * in place on a terminal; throttled plain lines when output goes to a file or CI log).
 */
import type { OnProgress, ProgressEvent } from '../stack/progress.ts'

export interface Ui {
  line(text?: string): void
  warn(text: string): void
  table(rows: readonly (readonly string[])[], header?: readonly string[]): void
  readonly progress: OnProgress
}

export interface UiStreams {
  readonly out: NodeJS.WritableStream & { isTTY?: boolean }
  readonly err: NodeJS.WritableStream & { isTTY?: boolean }
}

const marks: Record<ProgressEvent['state'], string> = {
  start: '…',
  update: '…',
  done: '✓',
  skip: '-',
  fail: '✗',
}

export function createUi(streams: UiStreams = { out: process.stdout, err: process.stderr }): Ui {
  const { out, err } = streams
  const tty = out.isTTY === true
  let pending = false
  let lastPlainUpdate = 0

  const clearPending = (): void => {
    if (pending) {
      out.write('\r\x1b[K')
      pending = false
    }
  }
  const format = (event: ProgressEvent): string =>
    `  ${marks[event.state]} ${event.step.padEnd(12)} ${event.detail ?? ''}`.trimEnd()

  return {
    line(text = '') {
      clearPending()
      out.write(`${text}\n`)
    },
    warn(text) {
      clearPending()
      err.write(`warning: ${text}\n`)
    },
    table(rows, header) {
      clearPending()
      const all = header ? [header, ...rows] : rows
      const widths = all.reduce<number[]>(
        (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
        [],
      )
      const render = (row: readonly string[]): string =>
        row
          .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
          .join('  ')
          .trimEnd()
      if (header) {
        out.write(`${render(header)}\n`)
        out.write(`${widths.map((w) => '-'.repeat(w)).join('  ')}\n`)
      }
      for (const row of rows) out.write(`${render(row)}\n`)
    },
    progress(event) {
      if (event.state === 'start' || event.state === 'update') {
        if (tty) {
          out.write(`\r\x1b[K${format(event)}`)
          pending = true
          return
        }
        const now = Date.now()
        if (event.state === 'update' && now - lastPlainUpdate < 2000) return
        lastPlainUpdate = now
        out.write(`${format(event)}\n`)
        return
      }
      clearPending()
      out.write(`${format(event)}\n`)
    },
  }
}

/** 1234567 → "1,234,567" */
export function formatCount(n: number | bigint): string {
  return n.toLocaleString('en-US')
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`
}

/** Numbers in plain language for messages the panel and the CLI show. */

/** 1234.5 → "1,234.5 events/s"; 0.5 → "0.5 events/s". */
export function formatRate(perSec: number): string {
  const rounded = perSec >= 100 ? Math.round(perSec) : Math.round(perSec * 10) / 10
  return `${rounded.toLocaleString('en-US')} events/s`
}

/** 42.3 → "42 s"; 125 → "2 min 5 s"; 7300 → "2 h 1 min". */
export function formatSeconds(seconds: number): string {
  const s = Math.max(0, Math.round(seconds))
  if (s < 60) return `${s} s`
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`
  const minutes = Math.floor((s % 3600) / 60)
  return `${Math.floor(s / 3600)} h${minutes ? ` ${minutes} min` : ''}`
}

export function formatCount(n: number): string {
  return Math.round(n).toLocaleString('en-US')
}

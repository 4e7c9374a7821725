import assert from 'node:assert/strict'
import { test } from 'node:test'
import {
  isFinal,
  latenessBucket,
  localHourOf,
  minuteStart,
  utcHourOf,
  utcOffsetMinutes,
} from '../../src/domain/windows.ts'

const t = (iso: string): number => Date.parse(iso)
const iso = (ms: number): string => new Date(ms).toISOString()

test('an instant exactly on a minute boundary belongs to the minute that starts there', () => {
  assert.equal(iso(minuteStart(t('2026-10-20T10:00:00.000Z'))), '2026-10-20T10:00:00.000Z')
  assert.equal(iso(minuteStart(t('2026-10-20T10:00:59.999Z'))), '2026-10-20T10:00:00.000Z')
  assert.equal(iso(minuteStart(t('2026-10-20T09:59:59.999Z'))), '2026-10-20T09:59:00.000Z')
})

test('minute starts are right before 1970 too', () => {
  assert.equal(minuteStart(-1), -60_000)
})

test('Asia/Kolkata’s local hours start at :30 UTC', () => {
  const h = localHourOf('Asia/Kolkata', t('2026-10-20T10:30:00.000Z'))
  assert.deepEqual(
    [iso(h.start), h.localDate, h.localHour, h.offsetMinutes],
    ['2026-10-20T10:30:00.000Z', '2026-10-20', 16, 330],
  )
  assert.equal(
    iso(localHourOf('Asia/Kolkata', t('2026-10-20T10:29:59.999Z')).start),
    '2026-10-20T09:30:00.000Z',
  )
})

test('the 25-hour day of Europe/Berlin has 25 distinct local hours, hour 2 twice', () => {
  const from = t('2026-10-24T22:00:00.000Z')
  const hours = Array.from({ length: 25 }, (_, i) =>
    localHourOf('Europe/Berlin', from + i * 3_600_000 + 1234),
  )
  assert.equal(new Set(hours.map((h) => h.start)).size, 25)
  assert.ok(hours.every((h) => h.localDate === '2026-10-25'))
  assert.deepEqual(
    hours.slice(0, 5).map((h) => [h.localHour, h.offsetMinutes]),
    [
      [0, 120],
      [1, 120],
      [2, 120],
      [2, 60],
      [3, 60],
    ],
  )
  assert.equal(localHourOf('Europe/Berlin', from + 25 * 3_600_000).localDate, '2026-10-26')
})

test('the 23-hour day of Europe/Berlin skips local hour 2', () => {
  const from = t('2026-03-28T23:00:00.000Z')
  const hours = Array.from({ length: 23 }, (_, i) => localHourOf('Europe/Berlin', from + i * 3_600_000))
  assert.ok(hours.every((h) => h.localDate === '2026-03-29'))
  assert.deepEqual(
    hours.map((h) => h.localHour),
    [0, 1, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23],
  )
})

test('UTC offsets follow the zone’s rules', () => {
  assert.equal(utcOffsetMinutes('America/New_York', t('2026-07-01T12:00:00Z')), -240)
  assert.equal(utcOffsetMinutes('America/New_York', t('2026-12-01T12:00:00Z')), -300)
  assert.equal(utcOffsetMinutes('UTC', t('2026-12-01T12:00:00Z')), 0)
})

test('the overall scope uses UTC hours', () => {
  const h = utcHourOf(t('2026-10-20T10:59:59.999Z'))
  assert.deepEqual([iso(h.start), h.localDate, h.localHour], ['2026-10-20T10:00:00.000Z', '2026-10-20', 10])
})

test('a window is final once its end plus the grace period is at or behind the watermark', () => {
  const end = t('2026-10-20T12:01:00Z')
  assert.equal(isFinal(end, 60_000, undefined), false)
  assert.equal(isFinal(end, 60_000, end + 59_999), false)
  assert.equal(isFinal(end, 60_000, end + 60_000), true)
})

test('lateness falls into bounded buckets', () => {
  assert.equal(latenessBucket(0), 'le_5m')
  assert.equal(latenessBucket(300_001), 'le_1h')
  assert.equal(latenessBucket(3 * 3_600_000), 'le_6h')
  assert.equal(latenessBucket(20 * 3_600_000), 'le_1d')
  assert.equal(latenessBucket(3 * 86_400_000), 'gt_1d')
})

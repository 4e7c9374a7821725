import assert from 'node:assert/strict'
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { after, test } from 'node:test'
import type { BackupManifest } from '../../src/cli/backup.ts'
import { createPool, dropDatabaseForced } from '../../src/platform/postgres.ts'
import { topicNames } from '../../src/platform/topics.ts'
import { spreadLine } from '../support/events.ts'
import { withDatabase } from '../support/global-setup.ts'
import { adminQuery, pipelineEnv, runCli, uniqueId } from '../support/harness.ts'
import {
  assertLandedOnce,
  countRows,
  produceSales,
  saleEvent,
  startChildLander,
  storedOffsets,
  waitCaughtUp,
} from '../support/lander.ts'
import { useTestDatabase } from '../support/test-database.ts'

const db = useTestDatabase()
const adminUrl = process.env.SRETL_TEST_ADMIN_URL ?? ''
const restored = `${process.env.SRETL_TEST_DB_PREFIX ?? 'sretl_test_'}restored_${uniqueId()}`
after(async () => {
  await dropDatabaseForced((sql) => adminQuery(adminUrl, sql), restored)
})

test('a database restored from a backup taken under traffic should re-land what came after it, once each, and verify clean', async () => {
  const group = `backup-${uniqueId()}`
  const { env, kafka, pool } = await pipelineEnv(db, {
    LANDER_GROUP_ID: group,
    LANDER_MAINTENANCE_INTERVAL_MS: '0',
    LANDER_SESSION_TIMEOUT_MS: '6000',
  })
  const topic = topicNames(kafka).salesEvents
  const before = Array.from({ length: 1500 }, (_, i) => spreadLine(i, 13, `RC-bk-a-${group}`))
  const afterwards = Array.from({ length: 1000 }, (_, i) => spreadLine(i, 13, `RC-bk-b-${group}`))
  await produceSales(kafka, before)
  let lander = await startChildLander(env)
  await waitCaughtUp(kafka, pool, group)

  const dir = mkdtempSync(join(process.env.SRETL_TEST_RUN_DIR ?? '/tmp', 'backup-'))
  const file = join(dir, 'drill.dump')
  const backup = await runCli(['backup', '--out', file], env)
  assert.equal(backup.code, 0, backup.stderr)
  assert.match(backup.stdout, /Wrote .*drill\.dump .*schema version \d+/)
  const manifest = JSON.parse(readFileSync(`${file}.manifest.json`, 'utf8')) as BackupManifest
  assert.equal(
    manifest.tables.sales_raw,
    before.length,
    'the manifest counts the rows of the dumped snapshot',
  )
  assert.equal(manifest.tables.event_ids, before.length)
  const stored = manifest.offsets.filter((o) => o.group === group && o.topic === topic)
  assert.equal(
    stored.reduce((sum, o) => sum + Number(o.nextOffset), 0),
    before.length,
    'the stored offsets in the backup cover exactly the rows in it',
  )
  assert.match(manifest.sha256, /^[0-9a-f]{64}$/)

  const again = await runCli(['backup', '--out', file], env)
  assert.equal(again.code, 1)
  assert.match(again.stderr, /BACKUP_FILE_EXISTS/)

  // more traffic after the backup, landed in the database that is then lost
  await produceSales(kafka, afterwards)
  await waitCaughtUp(kafka, pool, group)
  assert.equal(await countRows(pool), before.length + afterwards.length)
  assert.equal(await lander.stop(), 0)

  const adminEnv = { ...env, DATABASE_URL: withDatabase(adminUrl, db.name) }
  const restore = await runCli(['restore', file, '--into', restored], adminEnv)
  assert.equal(restore.code, 0, restore.stderr)
  assert.match(
    restore.stdout,
    /Restored [\d,]+ rows in \d+ tables into .*; the row counts match the manifest\./,
  )
  assert.match(restore.stdout, /Kafka still holds every record .* nothing is lost/)

  const refused = await runCli(['restore', file, '--into', restored], adminEnv)
  assert.equal(refused.code, 1)
  assert.match(refused.stderr, /RESTORE_TARGET_NOT_EMPTY/)

  const damaged = join(dir, 'damaged.dump')
  copyFileSync(file, damaged)
  copyFileSync(`${file}.manifest.json`, `${damaged}.manifest.json`)
  const bytes = readFileSync(damaged)
  bytes[bytes.length - 10] = (bytes[bytes.length - 10] ?? 0) ^ 0xff
  writeFileSync(damaged, bytes)
  const corrupt = await runCli(['restore', damaged, '--into', `${restored}_x`], adminEnv)
  assert.equal(corrupt.code, 1)
  assert.match(corrupt.stderr, /not the file its manifest describes .*\[BACKUP_INVALID\]/)

  // the lander on the restored database resumes at the backup's offsets and lands the gap once
  const restoredUrl = withDatabase(db.url, restored)
  const restoredPool = createPool(
    { url: restoredUrl, poolMax: 2, connectTimeoutMs: 5000 },
    { applicationName: 'sretl-test', role: 'sretl_reader' },
  )
  try {
    const resumed = await storedOffsets(restoredPool, group, topic)
    assert.equal(
      [...resumed.values()].reduce((a, b) => a + b, 0n),
      BigInt(before.length),
    )
    lander = await startChildLander({ ...env, DATABASE_URL: restoredUrl })
    await waitCaughtUp(kafka, restoredPool, group)
    await assertLandedOnce(restoredPool, [...before, ...afterwards].map(saleEvent))
    assert.equal(await lander.stop(), 0)
    const verify = await runCli(['verify'], { ...env, DATABASE_URL: restoredUrl })
    assert.equal(verify.code, 0, verify.stdout + verify.stderr)
  } finally {
    await restoredPool.end()
  }
})

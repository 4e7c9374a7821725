import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { ensureUsersFile, readFirstRunToken } from '../../../src/control/auth/first-run.ts'
import { parseUsers, UserDirectory } from '../../../src/control/auth/users.ts'

test('the first start should make one admin, readable by its owner only, and later starts keep it', async () => {
  const home = mkdtempSync(join(tmpdir(), 'sretl-first-run-'))
  const [a, b] = await Promise.all([ensureUsersFile(home, undefined), ensureUsersFile(home, undefined)])
  assert.equal([a, b].filter((x) => x?.created).length, 1, 'created once by concurrent starters')
  const created = a.created ? a : b
  assert.equal(statSync(created.usersFile).mode & 0o777, 0o600)
  assert.equal(statSync(created.credentialsFile ?? '').mode & 0o777, 0o600)
  const credentials = readFileSync(created.credentialsFile ?? '', 'utf8')
  const password = /^password: (\S+)$/m.exec(credentials)?.[1] ?? ''
  const token = readFirstRunToken(home) ?? ''
  const directory = new UserDirectory(parseUsers(readFileSync(created.usersFile, 'utf8')))
  assert.deepEqual(await directory.login('admin', password), { user: 'admin', role: 'admin' })
  assert.deepEqual(directory.bearer(token), { user: 'admin', role: 'admin' })
  assert.ok(!readFileSync(created.usersFile, 'utf8').includes(password), 'only hashes in the users file')
  const again = await ensureUsersFile(home, undefined)
  assert.deepEqual(again, {
    usersFile: created.usersFile,
    credentialsFile: created.credentialsFile,
    created: false,
  })
  assert.deepEqual(await ensureUsersFile(home, '/etc/sretl/users'), {
    usersFile: '/etc/sretl/users',
    created: false,
  })
})

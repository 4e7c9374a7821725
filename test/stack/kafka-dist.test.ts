import assert from 'node:assert/strict'
import { test } from 'node:test'
import { downloadedBytes, mavenFailure } from '../../src/stack/kafka-dist.ts'

test('the telling line of a failed Maven run should be the resolution error, without Maven’s help noise', () => {
  const output = [
    '[INFO] Scanning for projects...',
    '[ERROR] Failed to execute goal on project kafka-runtime: Could not resolve dependencies for project local.sretl:kafka-runtime:pom:1: Could not find artifact org.apache.kafka:kafka_2.13:jar:9.9.9 in central -> [Help 1]',
    '[ERROR] ',
    '[ERROR] To see the full stack trace of the errors, re-run Maven with the -e switch.',
  ].join('\n')
  assert.equal(
    mavenFailure(output),
    'Could not resolve dependencies for project local.sretl:kafka-runtime:pom:1: Could not find artifact org.apache.kafka:kafka_2.13:jar:9.9.9 in central',
  )
  assert.equal(mavenFailure('something odd\n'), 'something odd')
})

test('Maven download lines should be counted in bytes, with or without the batch-mode prefix', () => {
  assert.equal(
    downloadedBytes(
      '[INFO] Downloaded from central: https://repo.maven.apache.org/maven2/org/x.jar (5.6 MB at 12 MB/s)',
    ),
    5.6e6,
  )
  assert.equal(downloadedBytes('Downloaded from central: https://repo/x.pom (12 kB at 100 kB/s)'), 12e3)
  assert.equal(downloadedBytes('[INFO] Downloading from central: https://repo/x.jar'), undefined)
})

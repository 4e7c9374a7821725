// Puts Kafka's broker jars into deploy/docker/kafka/lib/ (the Kafka image's build context): the
// same jars `sretl up` runs, assembled from Maven Central by src/stack/kafka-dist.ts into the
// cache and reused from there. Usage: node scripts/kafka-image-jars.ts [version]
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { baseConfigSection } from '../src/platform/base-config.ts'
import { loadConfig } from '../src/platform/config.ts'
import { ensureKafkaDist } from '../src/stack/kafka-dist.ts'

const config = loadConfig(process.env, baseConfigSection)
const version = process.argv[2] ?? config.kafka.local.version
const dist = await ensureKafkaDist({
  version,
  cacheDir: config.paths.cache,
  mavenCmd: config.kafka.local.mavenCmd,
  onProgress: (event) => {
    if (event.detail !== undefined) process.stderr.write(`${event.detail}\n`)
  },
})
const target = fileURLToPath(new URL('../deploy/docker/kafka/lib/', import.meta.url))
rmSync(target, { recursive: true, force: true })
mkdirSync(target, { recursive: true })
const jars = readdirSync(dist.libDir).filter((f) => f.endsWith('.jar'))
for (const jar of jars) copyFileSync(join(dist.libDir, jar), join(target, jar))
process.stdout.write(`${jars.length} jars of Kafka ${version} in ${target}\n`)

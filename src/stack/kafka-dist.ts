/**
 * Kafka's broker jars, assembled from Maven Central with Maven into a cache directory outside the
 * repository and reused on later runs. The first run downloads (~60 MB) and reports progress.
 */
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { SretlError } from '../platform/errors.ts'
import type { OnProgress } from './progress.ts'
import { runCommand } from './run-command.ts'

/** log4j's SLF4J 1.x binding, matching the log4j-core that Kafka 4.1 depends on; without it the broker logs nothing. */
const LOG4J_BINDING_VERSION = '2.24.3'

export interface KafkaDist {
  readonly version: string
  readonly libDir: string
  /** The classpath for `java -cp`. */
  readonly classpath: string
  readonly downloaded: boolean
}

export interface EnsureKafkaDistOptions {
  readonly version: string
  readonly cacheDir: string
  readonly mavenCmd: string
  readonly onProgress: OnProgress
}

export function kafkaDistDir(cacheDir: string, version: string): string {
  return join(cacheDir, `kafka-${version}`)
}

export async function ensureKafkaDist(options: EnsureKafkaDistOptions): Promise<KafkaDist> {
  const dir = kafkaDistDir(options.cacheDir, options.version)
  const libDir = join(dir, 'lib')
  const dist = (downloaded: boolean): KafkaDist => ({
    version: options.version,
    libDir,
    classpath: join(libDir, '*'),
    downloaded,
  })
  if (isComplete(dir)) return dist(false)

  const probe = await runCommand(options.mavenCmd, ['-v'], { timeoutMs: 60_000 })
  if (probe.missing || probe.code !== 0) {
    throw new SretlError(
      'MAVEN_MISSING',
      `Maven is needed once to fetch Kafka ${options.version} from Maven Central, but \`${options.mavenCmd}\` ${probe.missing ? 'is not installed' : 'does not run'}; install it (Debian/Ubuntu: apt-get install maven) or set MAVEN_CMD`,
    )
  }

  mkdirSync(dir, { recursive: true })
  const work = join(dir, `tmp-${process.pid}-${Date.now()}`)
  mkdirSync(work, { recursive: true })
  writeFileSync(join(work, 'pom.xml'), pom(options.version))
  options.onProgress({
    step: 'kafka',
    state: 'update',
    detail: `downloading Kafka ${options.version} from Maven Central…`,
  })

  let files = 0
  let bytes = 0
  let lastReport = 0
  const result = await runCommand(
    options.mavenCmd,
    [
      '-B',
      '-f',
      join(work, 'pom.xml'),
      'org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies',
      '-DincludeScope=runtime',
      `-DoutputDirectory=${join(work, 'lib')}`,
    ],
    {
      timeoutMs: 20 * 60_000,
      onLine: (line) => {
        const size = downloadedBytes(line)
        if (size === undefined) return
        files += 1
        bytes += size
        const now = Date.now()
        if (now - lastReport > 250) {
          lastReport = now
          options.onProgress({
            step: 'kafka',
            state: 'update',
            detail: `downloading Kafka ${options.version} from Maven Central: ${files} files, ${(bytes / 1e6).toFixed(1)} MB`,
          })
        }
      },
    },
  )
  if (result.code !== 0) {
    rmSync(work, { recursive: true, force: true })
    throw new SretlError(
      'MAVEN_RESOLVE_FAILED',
      `Maven could not fetch Kafka ${options.version} from Maven Central: ${mavenFailure(result.output)}`,
      { details: { version: options.version } },
    )
  }
  try {
    renameSync(join(work, 'lib'), libDir)
  } catch {
    // another process finished first: its copy is as good as ours
  }
  rmSync(work, { recursive: true, force: true })
  if (!existsSync(libDir)) {
    throw new SretlError('MAVEN_RESOLVE_FAILED', `Maven finished but ${libDir} is missing`)
  }
  writeFileSync(join(dir, '.complete'), `${new Date().toISOString()}\n`)
  const jars = readdirSync(libDir).length
  options.onProgress({
    step: 'kafka',
    state: 'update',
    detail: `assembled Kafka ${options.version} (${jars} jars; ${files} files, ${(bytes / 1e6).toFixed(1)} MB downloaded)`,
  })
  return dist(true)
}

function isComplete(dir: string): boolean {
  if (!existsSync(join(dir, '.complete'))) return false
  try {
    return readdirSync(join(dir, 'lib')).some((f) => f.startsWith('kafka_2.13-'))
  } catch {
    return false
  }
}

/** Bytes of one "Downloaded from central: <url> (12 kB at 3.4 MB/s)" line of Maven, else undefined. */
export function downloadedBytes(line: string): number | undefined {
  const match = /^(?:\[INFO\] )?Downloaded from [^:]+: \S+ \(([\d.]+) ([kMG]?B)/.exec(line)
  if (!match) return undefined
  return Number(match[1]) * ({ B: 1, kB: 1e3, MB: 1e6, GB: 1e9 }[match[2] ?? 'B'] ?? 1)
}

/** The most telling line of a failed Maven run. */
export function mavenFailure(output: string): string {
  const errors = output
    .split('\n')
    .filter((l) => l.startsWith('[ERROR]'))
    .map((l) => l.replace(/^\[ERROR\]\s*/, '').trim())
    .filter((l) => l.length > 0 && !l.startsWith('->') && !/^(Re-run|To see|For more|Help)/.test(l))
  const resolution = errors.find((l) => /Could not (resolve|find|transfer)/i.test(l))
  const line = (resolution ?? errors[0] ?? output.split('\n').filter(Boolean).at(-1) ?? 'unknown error')
    .replace(/\s*->\s*\[Help \d+\]\s*$/, '')
    .replace(/^Failed to execute goal on project [\w.-]+: /, '')
  return line.length > 400 ? `${line.slice(0, 400)}…` : line
}

function pom(version: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.sretl</groupId>
  <artifactId>kafka-runtime</artifactId>
  <version>1</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>${version}</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>${version}</version></dependency>
    <dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>${LOG4J_BINDING_VERSION}</version></dependency>
  </dependencies>
</project>
`
}

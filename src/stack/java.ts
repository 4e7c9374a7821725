/** Finds a Java runtime new enough for Kafka 4 (17+), or says exactly what to install. */
import { join } from 'node:path'
import { SretlError } from '../platform/errors.ts'
import { runCommand } from './run-command.ts'

export const MIN_JAVA_VERSION = 17

export interface JavaRuntime {
  readonly executable: string
  readonly version: number
}

export async function findJava(javaHome: string | undefined): Promise<JavaRuntime> {
  const executable = javaHome ? join(javaHome, 'bin', 'java') : 'java'
  const result = await runCommand(executable, ['-version'], { timeoutMs: 30_000 })
  if (result.missing || result.code === null) {
    throw new SretlError(
      'JAVA_MISSING',
      javaHome
        ? `no Java at JAVA_HOME=${javaHome} (${executable} not found); fix JAVA_HOME or unset it`
        : `Java ${MIN_JAVA_VERSION}+ is needed to run Kafka but \`java\` is not on PATH; install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME`,
    )
  }
  const version = parseJavaVersion(result.output)
  if (version === undefined || version < MIN_JAVA_VERSION) {
    throw new SretlError(
      'JAVA_MISSING',
      `Kafka needs Java ${MIN_JAVA_VERSION} or newer, but ${executable} is ${version ?? 'of unknown version'}; install Java ${MIN_JAVA_VERSION}+ or point JAVA_HOME at one`,
    )
  }
  return { executable, version }
}

/** The major version from `java -version` output ("1.8.0_292" → 8, "17.0.15" → 17). */
export function parseJavaVersion(output: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?[^"]*"/.exec(output)
  if (!match) return undefined
  const major = Number(match[1])
  return major === 1 ? Number(match[2]) : major
}

import { readdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { baseConfigSection } from '../../platform/base-config.ts'
import { loadConfig } from '../../platform/config.ts'
import { isPidAlive, stopPid } from '../../stack/managed-process.ts'
import { readStackState, removeStackState } from '../../stack/state.ts'
import { defineCommand } from '../command.ts'

export const downCommand = defineCommand({
  name: 'down',
  summary: 'Stop the local stack that `sretl up` runs, and anything it left behind.',
  description:
    'Asks `sretl up` to stop (as Ctrl-C would) and waits for it; then stops any process whose pid file ' +
    'is still in $SRETL_HOME/run (left by an `sretl up` that was killed). Safe to run when nothing runs.',
  async run({ env, ui }) {
    const config = loadConfig(env, baseConfigSection)
    const state = readStackState(config.paths.run)
    let stopped = 0
    if (state && isPidAlive(state.upPid)) {
      ui.line(`Stopping sretl up (pid ${state.upPid})…`)
      await stopPid(state.upPid, 90_000)
      stopped += 1
    }
    for (const leftover of leftoverPids(config.paths.run, config.paths.home)) {
      ui.line(`Stopping leftover ${leftover.name} (pid ${leftover.pid})…`)
      await stopPid(leftover.pid, 30_000)
      rmSync(leftover.file, { force: true })
      stopped += 1
    }
    removeStackState(config.paths.run)
    ui.line(stopped === 0 ? 'The local stack is not running.' : 'Stopped.')
  },
})

/** Processes named by pid files that are still alive and still ours (their command line says so). */
function leftoverPids(runDir: string, home: string): { name: string; pid: number; file: string }[] {
  let files: string[]
  try {
    files = readdirSync(runDir).filter((f) => f.endsWith('.pid'))
  } catch {
    return []
  }
  const found: { name: string; pid: number; file: string }[] = []
  for (const f of files) {
    const file = join(runDir, f)
    const pid = Number(readFileSync(file, 'utf8').trim())
    if (!Number.isInteger(pid) || pid <= 0 || !isPidAlive(pid) || !isOurs(pid, home)) {
      rmSync(file, { force: true })
      continue
    }
    found.push({ name: f.replace(/\.pid$/, ''), pid, file })
  }
  return found
}

/** Kafka, a component, or a monitoring part whose files live under this SRETL_HOME. */
function isOurs(pid: number, home: string): boolean {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8')
    return cmdline.includes('kafka.Kafka') || cmdline.includes('cli/main.ts') || cmdline.includes(`${home}/`)
  } catch {
    // no /proc (macOS): trust the pid file
    return true
  }
}

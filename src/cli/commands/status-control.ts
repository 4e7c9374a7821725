/** The control service's view in `sretl status`: its health summary, when it answers. */
import type { Env } from '../../platform/config.ts'
import { errorMessage } from '../../platform/errors.ts'
import { callControl, controlAccess } from '../control-client.ts'
import type { Ui } from '../ui.ts'

export interface ControlReport {
  url: string
  reachable: boolean
  health?: { level: string; headline: string; items: { level: string; text: string }[] }
  error?: string
}

export async function probeControl(env: Env): Promise<ControlReport> {
  let url = ''
  try {
    const access = controlAccess(env)
    url = access.urls.control
    const answer = await callControl(access, 'GET', '/api/v1/overview', undefined, 3000)
    if (!answer) return { url, reachable: false, error: 'not running' }
    if (answer.status !== 200) return { url, reachable: true, error: `answered ${answer.status}` }
    return { url, reachable: true, health: answer.body.health as ControlReport['health'] }
  } catch (err) {
    return { url, reachable: url !== '', error: errorMessage(err) }
  }
}

export function printControl(ui: Ui, report: ControlReport): void {
  ui.line()
  if (!report.reachable) {
    ui.line(`Control panel ${report.url}: not running`)
    return
  }
  if (!report.health) {
    ui.line(`Control panel ${report.url}: ${report.error ?? 'no health summary'}`)
    return
  }
  ui.line(`Control panel ${report.url}/: ${report.health.headline}`)
  for (const item of report.health.items.filter((i) => i.text !== report.health?.headline)) {
    ui.line(`  ${item.level === 'ok' ? '' : `${item.level}: `}${item.text}`)
  }
}

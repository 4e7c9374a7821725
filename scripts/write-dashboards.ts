// Writes deploy/grafana/dashboards/*.json from scripts/dashboards/ (run `npm run dashboards:write`;
// a test fails when the files and the definitions differ).
import { mkdirSync, writeFileSync } from 'node:fs'
import { dashboards } from './dashboards/index.ts'

const dir = new URL('../deploy/grafana/dashboards/', import.meta.url)
mkdirSync(dir, { recursive: true })
for (const [file, dashboard] of Object.entries(dashboards)) {
  writeFileSync(new URL(file, dir), `${JSON.stringify(dashboard, null, 2)}\n`)
  process.stdout.write(`wrote deploy/grafana/dashboards/${file}\n`)
}

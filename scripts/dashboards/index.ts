// Every provisioned dashboard, by the file it is written to in deploy/grafana/dashboards/.
import { kafkaDashboard } from './kafka.ts'
import { pipelineDashboard } from './pipeline.ts'
import { postgresqlDashboard } from './postgresql.ts'
import { retailDashboard } from './retail.ts'

export const dashboards: Readonly<Record<string, Record<string, unknown>>> = {
  'sretl-pipeline.json': pipelineDashboard,
  'sretl-retail.json': retailDashboard,
  'sretl-postgresql.json': postgresqlDashboard,
  'sretl-kafka.json': kafkaDashboard,
}

/**
 * Settings of the monitoring side of the stack: where Prometheus, Alertmanager and the PostgreSQL
 * exporter listen when `sretl up` runs them, how Prometheus keeps its data, and where `sretl
 * status` and `sretl smoke` find Prometheus.
 */
import { z } from 'zod'
import { baseSections } from './base-config.ts'
import { combineSections, defineSection, intVar, portVar, stringVar, urlVar } from './config.ts'
import { supervisionSection } from './supervision-config.ts'

/** A Prometheus duration: 5s, 1m30s, 2d. */
export function promDurationVar(description: string, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const text = raw.trim()
      if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(text)) {
        ctx.addIssue({
          code: 'custom',
          message: `must be a Prometheus duration like 15s, 5m or 2d, got "${raw}"`,
        })
        return z.NEVER
      }
      return text
    })
    .describe(description)
}

/** A Prometheus storage size: 512MB, 1GB. */
export function promSizeVar(description: string, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const text = raw.trim().toUpperCase()
      if (!/^\d+(B|KB|MB|GB|TB)$/.test(text)) {
        ctx.addIssue({ code: 'custom', message: `must be a size like 512MB or 1GB, got "${raw}"` })
        return z.NEVER
      }
      return text
    })
    .describe(description)
}

export const monitoringSection = defineSection(
  {
    PROMETHEUS_PORT: portVar('Port of the Prometheus that `sretl up` runs.', 9090),
    ALERTMANAGER_PORT: portVar('Port of the Alertmanager that `sretl up` runs.', 9093),
    POSTGRES_EXPORTER_PORT: portVar('Port of the PostgreSQL exporter that `sretl up` runs.', 9187),
    PROMETHEUS_URL: urlVar(
      'Prometheus that `sretl status` and `sretl smoke` ask. Default: http://127.0.0.1:$PROMETHEUS_PORT (the local one).',
      ['http:', 'https:'],
    ),
    PROMETHEUS_SCRAPE_INTERVAL: promDurationVar(
      'How often the local Prometheus scrapes every target and evaluates the rules.',
      '5s',
    ),
    PROMETHEUS_RETENTION: promDurationVar(
      'How long the local Prometheus keeps samples (short: it runs on laptops).',
      '2d',
    ),
    PROMETHEUS_RETENTION_SIZE: promSizeVar('Most disk the local Prometheus’s samples may use.', '1GB'),
    PROMETHEUS_CMD: stringVar(
      'Prometheus executable. Default: `prometheus` on PATH (Debian package prometheus).',
    ),
    ALERTMANAGER_CMD: stringVar(
      'Alertmanager executable. Default: `prometheus-alertmanager` (Debian) or `alertmanager` on PATH.',
    ),
    POSTGRES_EXPORTER_CMD: stringVar(
      'PostgreSQL exporter executable. Default: `prometheus-postgres-exporter` (Debian) or `postgres_exporter` on PATH.',
    ),
    POSTGRES_EXPORTER_DATABASE_URL: urlVar(
      'Connection the PostgreSQL exporter uses; a role with pg_monitor and sretl_reader is ideal. Default: DATABASE_URL.',
      ['postgres:', 'postgresql:'],
    ),
    MONITORING_START_TIMEOUT_MS: intVar(
      'How long Prometheus, Alertmanager and the exporter may each take to become ready.',
      60_000,
      { min: 1000, max: 600_000 },
    ),
  },
  (v) => ({
    prometheus: {
      port: v.PROMETHEUS_PORT,
      url: (v.PROMETHEUS_URL ?? `http://127.0.0.1:${v.PROMETHEUS_PORT}/`).replace(/\/$/, ''),
      /** PROMETHEUS_URL was given: a Prometheus elsewhere, expected to answer whatever is installed here. */
      explicit: v.PROMETHEUS_URL !== undefined,
      scrapeInterval: v.PROMETHEUS_SCRAPE_INTERVAL,
      retention: v.PROMETHEUS_RETENTION,
      retentionSize: v.PROMETHEUS_RETENTION_SIZE,
      command: v.PROMETHEUS_CMD,
    },
    alertmanager: { port: v.ALERTMANAGER_PORT, command: v.ALERTMANAGER_CMD },
    postgresExporter: {
      port: v.POSTGRES_EXPORTER_PORT,
      command: v.POSTGRES_EXPORTER_CMD,
      /** Undefined: the exporter uses DATABASE_URL. */
      databaseUrl: v.POSTGRES_EXPORTER_DATABASE_URL,
    },
    startTimeoutMs: v.MONITORING_START_TIMEOUT_MS,
  }),
)

export type MonitoringConfig = ReturnType<typeof monitoringSection.build>

/** What `sretl up`, `status` and `smoke` read: the shared sections plus monitoring and supervision. */
export const stackConfigSection = combineSections({
  ...baseSections,
  monitoring: monitoringSection,
  supervision: supervisionSection,
})

export type StackConfig = ReturnType<typeof stackConfigSection.build>

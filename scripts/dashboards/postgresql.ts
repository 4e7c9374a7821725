// PostgreSQL through prometheus-postgres-exporter (standard pg_* metrics) and sretl's custom
// queries (sretl_db_*: partitions of sales_raw).
import { buildDashboard, datasourceVariable, labelVariable, PROM } from './grafana.ts'

const r = (metric: string) => `rate(${metric}[$__rate_interval])`
const db = '{datname=~"$datname"}'

export const postgresqlDashboard = buildDashboard({
  uid: 'sretl-postgresql',
  title: 'sretl / PostgreSQL',
  description:
    'The database sretl lands into: availability, connections, throughput, cache, locks, partitions.',
  tags: ['sretl'],
  source: PROM,
  variables: [
    datasourceVariable('datasource'),
    labelVariable('datname', 'Database', 'pg_stat_database_numbackends'),
  ],
  rows: [
    {
      title: 'Health',
      panels: [
        {
          title: 'PostgreSQL up',
          type: 'stat',
          unit: 'bool',
          width: 6,
          description:
            'Whether the exporter can connect (1) or not (0). Zero means nothing can land and panels reading PostgreSQL fail (SretlPostgresDown).',
          queries: [{ expr: 'min(pg_up)', legend: 'up' }],
        },
        {
          title: 'Connections in use',
          type: 'stat',
          unit: 'percentunit',
          width: 6,
          redAbove: 0.8,
          description:
            'Backends as a share of max_connections less the superuser reserve. Red above 80 % (SretlPostgresConnectionsNearLimit): new connections will soon be refused.',
          queries: [{ expr: 'max(sretl:postgres_connections:ratio)', legend: 'in use' }],
        },
        {
          title: 'Partition days ahead',
          type: 'stat',
          unit: 'd',
          width: 6,
          description:
            'Consecutive UTC days from today that have their sales_raw partition (maintenance keeps 7 ahead, so 8 with today). Under 3 alerts (SretlPartitionsMissingAhead).',
          queries: [{ expr: 'min(sretl_db_sales_raw_partition_days_ahead)', legend: 'days' }],
        },
        {
          title: 'Rows in the default partition',
          type: 'stat',
          unit: 'short',
          width: 6,
          redAbove: 1,
          description:
            'Rows of sales_raw outside every daily partition. Should be 0; anything else alerts (SretlDefaultPartitionRows) until `sretl maintain` moves them.',
          queries: [{ expr: 'max(sretl_db_sales_raw_default_rows)', legend: 'rows' }],
        },
      ],
    },
    {
      title: 'Connections and activity',
      panels: [
        {
          title: 'Backends by database',
          unit: 'short',
          stack: true,
          description:
            'Open connections per database. Each sretl process opens at most PG_POOL_MAX; a sudden jump is often a connection leak or many new processes.',
          queries: [{ expr: `sum by (datname) (pg_stat_database_numbackends${db})`, legend: '{{datname}}' }],
        },
        {
          title: 'Sessions by state',
          unit: 'short',
          stack: true,
          description:
            'Sessions by state. Many "idle in transaction" sessions hold locks and connections; "active" near the CPU count means the server is busy. Complete only when the exporter’s role has pg_monitor.',
          queries: [{ expr: `sum by (state) (pg_stat_activity_count${db})`, legend: '{{state}}' }],
        },
        {
          title: 'Longest running transaction',
          unit: 's',
          description:
            'Age of the oldest open transaction. Long transactions block vacuum and can hold locks the lander waits for.',
          queries: [{ expr: `max(pg_stat_activity_max_tx_duration${db})`, legend: 'longest' }],
        },
        {
          title: 'Locks by mode',
          unit: 'short',
          description:
            'Locks held, by mode. AccessExclusive locks on sales_raw (partition DDL) make the lander wait; a lasting pile of locks explains stalled landing.',
          queries: [{ expr: `sum by (mode) (pg_locks_count${db})`, legend: '{{mode}}' }],
        },
      ],
    },
    {
      title: 'Throughput',
      panels: [
        {
          title: 'Transactions per second',
          unit: 'ops',
          description:
            'Commits and rollbacks per second. The lander commits one transaction per batch; a rise in rollbacks means failing statements (see the lander’s retries).',
          queries: [
            { expr: `sum(${r(`pg_stat_database_xact_commit${db}`)})`, legend: 'commits' },
            { expr: `sum(${r(`pg_stat_database_xact_rollback${db}`)})`, legend: 'rollbacks' },
          ],
        },
        {
          title: 'Rows written per second',
          unit: 'ops',
          description:
            'Rows inserted, updated and deleted per second. Inserts should follow the lander’s landed rows (plus staging); deletes appear when maintenance moves default-partition rows.',
          queries: [
            { expr: `sum(${r(`pg_stat_database_tup_inserted${db}`)})`, legend: 'inserted' },
            { expr: `sum(${r(`pg_stat_database_tup_updated${db}`)})`, legend: 'updated' },
            { expr: `sum(${r(`pg_stat_database_tup_deleted${db}`)})`, legend: 'deleted' },
          ],
        },
        {
          title: 'Buffer cache hit ratio',
          unit: 'percentunit',
          max: 1,
          description:
            'Share of block reads served from shared buffers. Below ~95 % on a steady load the working set no longer fits in memory and queries go to disk.',
          queries: [
            {
              expr: `sum(${r(`pg_stat_database_blks_hit${db}`)}) / (sum(${r(`pg_stat_database_blks_hit${db}`)}) + sum(${r(`pg_stat_database_blks_read${db}`)}))`,
              legend: 'hit ratio',
            },
          ],
        },
        {
          title: 'Temporary files and deadlocks',
          unit: 'short',
          description:
            'Temporary bytes written per second (sorts and hashes spilling to disk: raise work_mem for the query) and deadlocks per second (the lander retries them; steady deadlocks are a bug).',
          queries: [
            { expr: `sum(${r(`pg_stat_database_temp_bytes${db}`)})`, legend: 'temp bytes/s' },
            { expr: `sum(${r(`pg_stat_database_deadlocks${db}`)})`, legend: 'deadlocks/s' },
          ],
        },
      ],
    },
    {
      title: 'Storage and checkpoints',
      panels: [
        {
          title: 'Database size',
          unit: 'bytes',
          description:
            'Size of each database on disk. sales_raw grows with landed rows and shrinks only when retention drops old partitions.',
          queries: [{ expr: `max by (datname) (pg_database_size_bytes${db})`, legend: '{{datname}}' }],
        },
        {
          title: 'Checkpoints',
          unit: 'ops',
          description:
            'Timed and requested checkpoints per second. Requested checkpoints dominating means WAL fills up between timed ones under write load: raise max_wal_size.',
          queries: [
            { expr: `sum(${r('pg_stat_bgwriter_checkpoints_timed_total')})`, legend: 'timed' },
            { expr: `sum(${r('pg_stat_bgwriter_checkpoints_req_total')})`, legend: 'requested' },
          ],
        },
      ],
    },
  ],
})

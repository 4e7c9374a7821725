/**
 * The lander's settings. Batches close on whichever limit comes first (rows, bytes, age), and
 * every buffer is bounded: the client's fetch buffer (LANDER_FETCH_MAX_RECORDS records plus one
 * fetch response of at most LANDER_FETCH_MAX_BYTES), the batch being filled and the batch being
 * landed.
 */
import { boolVar, combineSections, defineSection, enumVar, intVar, stringVar } from '../platform/config.ts'
import { componentPorts } from '../platform/control-targets.ts'
import { maintenanceSection } from '../database/maintenance-settings.ts'
import { aggregatesSection } from '../aggregates/in-stream/config.ts'

export const LANDER_PORT = componentPorts.lander

export const landerOwnSection = defineSection(
  {
    LANDER_PORT,
    LANDER_HOST: stringVar(
      'Address the lander’s HTTP server (status, metrics) listens on (0.0.0.0 in a container).',
      '127.0.0.1',
    ),
    LANDER_GROUP_ID: stringVar(
      'Kafka consumer group of the landers; also the key of their offsets in PostgreSQL.',
      'sretl-lander',
    ),
    LANDER_GROUP_INSTANCE_ID: stringVar(
      'Static group membership id (one per lander instance, e.g. the pod name): a restarted lander takes its partitions back at once instead of after a rebalance. Unset: dynamic membership.',
    ),
    LANDER_SESSION_TIMEOUT_MS: intVar(
      'How long the group waits for a silent lander before giving its partitions to another one.',
      10_000,
      { min: 1000, max: 600_000 },
    ),
    LANDER_BATCH_MAX_ROWS: intVar('A batch closes when it holds this many records.', 20_000, {
      min: 1,
      max: 1_000_000,
    }),
    LANDER_BATCH_MAX_BYTES: intVar(
      'A batch closes when its records’ values reach this many bytes (one larger record still forms a batch of its own).',
      16 * 1024 * 1024,
      { min: 1024, max: 1024 * 1024 * 1024 },
    ),
    LANDER_BATCH_MAX_WAIT_MS: intVar(
      'A batch closes at the latest this long after its first record arrived (bounds the landing latency).',
      100,
      { min: 1, max: 600_000 },
    ),
    LANDER_FETCH_MAX_BYTES: intVar(
      'Most bytes one Kafka fetch response may carry (a single larger record still comes through).',
      8 * 1024 * 1024,
      { min: 1024, max: 1024 * 1024 * 1024 },
    ),
    LANDER_FETCH_MAX_RECORDS: intVar(
      'Records the Kafka client may hold fetched but not yet taken into a batch.',
      2048,
      { min: 1, max: 1_000_000 },
    ),
    LANDER_DIRECT_COPY: boolVar(
      'Try COPY straight into sales_raw first (as fast as psql \\copy); a batch holding a row that is already there falls back to staging + INSERT … ON CONFLICT DO NOTHING. false: always stage.',
      true,
    ),
    LANDER_RETRY_BASE_MS: intVar(
      'First wait before retrying a batch that failed for a retryable reason.',
      200,
      {
        min: 1,
        max: 600_000,
      },
    ),
    LANDER_RETRY_MAX_MS: intVar('Longest wait between retries (the backoff doubles up to this).', 10_000, {
      min: 1,
      max: 3_600_000,
    }),
    LANDER_STATEMENT_TIMEOUT_MS: intVar(
      'Longest a landing statement may run before it is cancelled and the batch retried (0: no limit).',
      120_000,
      { min: 0, max: 3_600_000 },
    ),
    LANDER_IDLE_IN_TRANSACTION_TIMEOUT_MS: intVar(
      'PostgreSQL ends a landing session that sits this long inside its transaction without a statement (a lander stalled mid-batch by a GC pause or SIGSTOP): its locks go, the landers that took its partitions proceed, and its late COMMIT fails (ADR 0062). Must exceed KAFKA_SEND_TIMEOUT_MS (dead letters are sent inside the transaction). 0: no limit.',
      60_000,
      { min: 0, max: 3_600_000 },
    ),
    SRETL_TEST_FAULT_AT: enumVar(
      'Tests only (the chaos and fencing tests); never set it in production. A named point of the landing where the lander kills (SIGKILL) or stops (SIGSTOP) itself: after-copy-before-commit, after-dlq-before-commit, after-commit-before-kafka-commit.',
      ['none', 'after-copy-before-commit', 'after-dlq-before-commit', 'after-commit-before-kafka-commit'],
      'none',
    ),
    SRETL_TEST_FAULT: enumVar(
      'Tests only: what happens at SRETL_TEST_FAULT_AT, `kill` (SIGKILL) or `stop` (SIGSTOP).',
      ['kill', 'stop'],
      'kill',
    ),
    SRETL_TEST_FAULT_BATCH: intVar(
      'Tests only: the fault fires at the Nth time the lander passes SRETL_TEST_FAULT_AT.',
      1,
      {
        min: 1,
        max: 1_000_000,
      },
    ),
    LANDER_LAG_INTERVAL_MS: intVar(
      'How often the lander reads the partitions’ end offsets to compute lag.',
      5000,
      {
        min: 100,
        max: 600_000,
      },
    ),
    LANDER_MAINTENANCE_INTERVAL_MS: intVar(
      'How often the lander runs partition maintenance (create ahead, backfill days, retention); 0 disables it (run `sretl maintain` instead).',
      3_600_000,
      { min: 0, max: 7 * 86_400_000 },
    ),
    LANDER_DEFAULT_ROWS_INTERVAL_MS: intVar(
      'How often the lander counts the rows in sales_raw’s default partition (metric and status).',
      60_000,
      { min: 100, max: 86_400_000 },
    ),
  },
  (v) => ({
    port: v.LANDER_PORT,
    host: v.LANDER_HOST,
    groupId: v.LANDER_GROUP_ID,
    groupInstanceId: v.LANDER_GROUP_INSTANCE_ID,
    sessionTimeoutMs: v.LANDER_SESSION_TIMEOUT_MS,
    batch: {
      maxRows: v.LANDER_BATCH_MAX_ROWS,
      maxBytes: v.LANDER_BATCH_MAX_BYTES,
      maxWaitMs: v.LANDER_BATCH_MAX_WAIT_MS,
    },
    fetch: { maxBytes: v.LANDER_FETCH_MAX_BYTES, maxRecords: v.LANDER_FETCH_MAX_RECORDS },
    directCopy: v.LANDER_DIRECT_COPY,
    retry: { baseMs: v.LANDER_RETRY_BASE_MS, maxMs: v.LANDER_RETRY_MAX_MS },
    statementTimeoutMs: v.LANDER_STATEMENT_TIMEOUT_MS,
    idleInTransactionTimeoutMs: v.LANDER_IDLE_IN_TRANSACTION_TIMEOUT_MS,
    fault:
      v.SRETL_TEST_FAULT_AT === 'none'
        ? undefined
        : { at: v.SRETL_TEST_FAULT_AT, action: v.SRETL_TEST_FAULT, nth: v.SRETL_TEST_FAULT_BATCH },
    lagIntervalMs: v.LANDER_LAG_INTERVAL_MS,
    maintenanceIntervalMs: v.LANDER_MAINTENANCE_INTERVAL_MS,
    defaultRowsIntervalMs: v.LANDER_DEFAULT_ROWS_INTERVAL_MS,
  }),
)

export const landerSection = combineSections({
  lander: landerOwnSection,
  maintenance: maintenanceSection,
  aggregates: aggregatesSection,
})

export type LanderConfig = ReturnType<typeof landerOwnSection.build>
export type LanderSettings = ReturnType<typeof landerSection.build>

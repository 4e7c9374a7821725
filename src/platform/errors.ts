/**
 * The one catalogue of error codes. Every error the program reports on purpose carries one of
 * these codes and whether a retry can help; callers decide retry, dead-letter or stop from that
 * alone. docs/errors.md lists every code (a test keeps the two in step).
 */

interface ErrorSpec {
  readonly retryable: boolean
  /** What it means, in one plain sentence, for docs/errors.md. */
  readonly summary: string
}

export const errorCatalogue = {
  // start-up and configuration
  CONFIG_INVALID: {
    retryable: false,
    summary: 'An environment variable is missing or has an invalid value.',
  },
  USAGE: { retryable: false, summary: 'A command was called with unknown or missing arguments.' },
  JAVA_MISSING: {
    retryable: false,
    summary: 'Java 17 or newer, needed to run the local Kafka broker, is not installed.',
  },
  MAVEN_MISSING: {
    retryable: false,
    summary: 'Maven, needed to fetch Kafka from Maven Central, is not installed.',
  },
  MAVEN_RESOLVE_FAILED: {
    retryable: true,
    summary: "Maven could not download Kafka's jars (no network, wrong version, or a repository error).",
  },
  PORT_IN_USE: {
    retryable: false,
    summary: 'A port the local stack needs is already taken by another program.',
  },
  KAFKA_START_FAILED: {
    retryable: false,
    summary: 'The local Kafka broker exited or did not become ready in time.',
  },
  PG_NOT_INSTALLED: {
    retryable: false,
    summary: 'No PostgreSQL server is reachable and none is installed to start.',
  },
  PG_BOOTSTRAP_FAILED: {
    retryable: false,
    summary: 'The local PostgreSQL server could not be started or its role and database created.',
  },
  STACK_NOT_RUNNING: {
    retryable: false,
    summary: 'A command needs the local stack, but `sretl up` is not running.',
  },
  STACK_ALREADY_RUNNING: {
    retryable: false,
    summary: '`sretl up` was started while another `sretl up` runs the stack.',
  },
  // Kafka
  KAFKA_UNAVAILABLE: {
    retryable: true,
    summary: 'No Kafka broker answered at the configured bootstrap servers.',
  },
  KAFKA_SEND_TIMEOUT: {
    retryable: true,
    summary: 'Kafka did not acknowledge a send within the configured timeout.',
  },
  TOPIC_MISCONFIGURED: {
    retryable: false,
    summary: 'A topic exists with settings the pipeline cannot use (for example fewer partitions).',
  },
  // PostgreSQL
  PG_UNREACHABLE: { retryable: true, summary: 'PostgreSQL did not answer at DATABASE_URL.' },
  PG_QUERY_FAILED: {
    retryable: false,
    summary: 'PostgreSQL rejected a statement for a reason a retry cannot fix.',
  },
  MIGRATION_FAILED: { retryable: false, summary: 'A schema migration failed; nothing of it was applied.' },
  MIGRATION_CHECKSUM_MISMATCH: {
    retryable: false,
    summary: 'An applied migration file was edited afterwards; migrations are forward-only.',
  },
  // events (the codes a rejected event carries in the dead-letter headers and metrics)
  EVENT_TOO_LARGE: { retryable: false, summary: 'An event is larger than the 64 KiB a sale line may take.' },
  EVENT_NOT_JSON: { retryable: false, summary: 'An event is not valid UTF-8 JSON.' },
  EVENT_SCHEMA_INVALID: {
    retryable: false,
    summary: 'An event does not match the sale_line v1 JSON Schema.',
  },
  EVENT_RULE_VIOLATED: {
    retryable: false,
    summary:
      'An event breaks a rule of the contract (amount arithmetic, signs, a return without its receipt).',
  },
  EVENT_DB_REJECTED: {
    retryable: false,
    summary:
      'PostgreSQL refused to store an event that passed validation (a constraint or a value it cannot hold).',
  },
  // the lander
  LANDER_UNREACHABLE: {
    retryable: true,
    summary: 'The lander did not answer on its HTTP port (LANDER_PORT).',
  },
  LANDER_RETRYING: {
    retryable: true,
    summary:
      'Landing a batch failed for a reason a retry can fix (PostgreSQL down, a deadlock); it is retried.',
  },
  LANDER_STUCK: {
    retryable: true,
    summary:
      'Landing a batch failed for a reason the lander cannot fix itself (a missing table, a permission); it keeps retrying.',
  },
  GROUP_ACTIVE: {
    retryable: false,
    summary: 'Offsets of a consumer group can only be reset while no member of the group runs.',
  },
  // partition maintenance
  PARTITION_MAINTENANCE_FAILED: {
    retryable: true,
    summary:
      'Creating or dropping daily partitions of sales_raw failed (often a lock it could not get in time).',
  },
  // anything else
  INTERNAL: { retryable: false, summary: 'A bug: an error the program did not expect.' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof errorCatalogue

export interface SretlErrorOptions {
  readonly cause?: unknown
  readonly details?: Readonly<Record<string, unknown>>
  /** Overrides the catalogue's flag where the situation knows better (e.g. a pg error class). */
  readonly retryable?: boolean
}

export class SretlError extends Error {
  readonly code: ErrorCode
  readonly retryable: boolean
  readonly details: Readonly<Record<string, unknown>>

  constructor(code: ErrorCode, message: string, options: SretlErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'SretlError'
    this.code = code
    this.retryable = options.retryable ?? errorCatalogue[code].retryable
    this.details = options.details ?? {}
  }
}

export function isSretlError(err: unknown): err is SretlError {
  return err instanceof SretlError
}

export function isRetryable(err: unknown): boolean {
  return isSretlError(err) && err.retryable
}

/** The message of anything thrown, for logs and one-line CLI errors. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message
  return String(err)
}

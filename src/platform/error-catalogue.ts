/**
 * The one catalogue of error codes. Every error the program reports on purpose carries one of
 * these codes and whether a retry can help; callers decide retry, dead-letter or stop from that
 * alone. docs/errors.md lists every code (a test keeps the two in step).
 */

interface ErrorSpec {
  readonly retryable: boolean
  /** The HTTP status when the error answers a request (a CLI-only error that reaches one is a 500). */
  readonly status: number
  /** What it means, in one plain sentence, for docs/errors.md. */
  readonly summary: string
}

export const errorCatalogue = {
  // start-up and configuration
  CONFIG_INVALID: {
    retryable: false,
    status: 500,
    summary: 'An environment variable is missing or has an invalid value.',
  },
  USAGE: {
    retryable: false,
    status: 400,
    summary: 'A command was called with unknown or missing arguments.',
  },
  JAVA_MISSING: {
    retryable: false,
    status: 500,
    summary: 'Java 17 or newer, needed to run the local Kafka broker, is not installed.',
  },
  MAVEN_MISSING: {
    retryable: false,
    status: 500,
    summary: 'Maven, needed to fetch Kafka from Maven Central, is not installed.',
  },
  MAVEN_RESOLVE_FAILED: {
    retryable: true,
    status: 500,
    summary: "Maven could not download Kafka's jars (no network, wrong version, or a repository error).",
  },
  PORT_IN_USE: {
    retryable: false,
    status: 500,
    summary: 'A port the local stack needs is already taken by another program.',
  },
  KAFKA_START_FAILED: {
    retryable: false,
    status: 500,
    summary: 'The local Kafka broker exited or did not become ready in time.',
  },
  TLS_SETUP_FAILED: {
    retryable: false,
    status: 500,
    summary: 'The local certificate authority or a certificate it issues could not be made with openssl.',
  },
  KAFKA_SECURITY_SETUP_FAILED: {
    retryable: false,
    status: 500,
    summary: 'Secure mode could not set up the Kafka users, passwords or ACLs.',
  },
  PG_NOT_INSTALLED: {
    retryable: false,
    status: 500,
    summary: 'No PostgreSQL server is reachable and none is installed to start.',
  },
  DB_LOGINS_FAILED: {
    retryable: false,
    status: 500,
    summary:
      'The components’ own PostgreSQL logins could not be created or their passwords changed (the admin connection lacks CREATEROLE, or the roles of migration 0008 are missing).',
  },
  PG_BOOTSTRAP_FAILED: {
    retryable: false,
    status: 500,
    summary: 'The local PostgreSQL server could not be started or its role and database created.',
  },
  STACK_NOT_RUNNING: {
    retryable: false,
    status: 503,
    summary: 'A command needs the local stack, but `sretl up` is not running.',
  },
  DEMO_STEP_FAILED: {
    retryable: false,
    status: 500,
    summary: 'A step of `sretl demo` did not see the effect it expected within its timeout.',
  },
  STACK_ALREADY_RUNNING: {
    retryable: false,
    status: 409,
    summary: '`sretl up` was started while another `sretl up` runs the stack.',
  },
  MONITORING_START_FAILED: {
    retryable: false,
    status: 500,
    summary:
      'Prometheus, Alertmanager or the PostgreSQL exporter is installed but exited or did not become ready.',
  },
  // Kafka
  KAFKA_UNAVAILABLE: {
    retryable: true,
    status: 503,
    summary: 'No Kafka broker answered at the configured bootstrap servers.',
  },
  KAFKA_SEND_TIMEOUT: {
    retryable: true,
    status: 503,
    summary: 'Kafka did not acknowledge a send within the configured timeout.',
  },
  TOPIC_MISCONFIGURED: {
    retryable: false,
    status: 500,
    summary: 'A topic exists with settings the pipeline cannot use (for example fewer partitions).',
  },
  TOPIC_MISSING: {
    retryable: true,
    status: 503,
    summary:
      'A topic the component writes to does not exist (brokers here do not create topics on first use).',
  },
  // PostgreSQL
  PG_UNREACHABLE: { retryable: true, status: 503, summary: 'PostgreSQL did not answer at DATABASE_URL.' },
  PG_QUERY_FAILED: {
    retryable: false,
    status: 500,
    summary: 'PostgreSQL rejected a statement for a reason a retry cannot fix.',
  },
  MIGRATION_FAILED: {
    retryable: false,
    status: 500,
    summary: 'A schema migration failed; nothing of it was applied.',
  },
  MIGRATION_CHECKSUM_MISMATCH: {
    retryable: false,
    status: 500,
    summary: 'An applied migration file was edited afterwards; migrations are forward-only.',
  },
  // events (the codes a rejected event carries in the dead-letter headers and metrics)
  EVENT_TOO_LARGE: {
    retryable: false,
    status: 413,
    summary: 'An event is larger than the 64 KiB a sale line may take.',
  },
  EVENT_NOT_JSON: { retryable: false, status: 400, summary: 'An event is not valid UTF-8 JSON.' },
  EVENT_SCHEMA_INVALID: {
    retryable: false,
    status: 400,
    summary: 'An event does not match the sale_line v1 JSON Schema.',
  },
  EVENT_RULE_VIOLATED: {
    retryable: false,
    status: 400,
    summary:
      'An event breaks a rule of the contract (amount arithmetic, signs, a return without its receipt).',
  },
  // HTTP surfaces of the components (every error body is JSON { code, message, … })
  NOT_FOUND: { retryable: false, status: 404, summary: 'No such HTTP route.' },
  NOT_PAUSABLE: {
    retryable: false,
    status: 404,
    summary: 'The component asked to pause or resume has no flow to pause.',
  },
  STATUS_INVALID: {
    retryable: false,
    status: 502,
    summary:
      "A component's /status answer breaks its contract (src/platform/status-details.ts): another version?",
  },
  COMPONENT_UNREACHABLE: {
    retryable: true,
    status: 502,
    summary: "A command could not reach a component's HTTP API (it is not running, or at another address).",
  },
  // the simulator's control API
  RATE_ABOVE_CAP: {
    retryable: false,
    status: 422,
    summary: 'A simulator rate above the safety cap (SIMULATOR_MAX_RATE_PER_SEC) was refused.',
  },
  RATE_INVALID: {
    retryable: false,
    status: 400,
    summary: 'A simulator rate that is not a number ≥ 0 was refused.',
  },
  // the ingest gateway
  API_KEY_MISSING: { retryable: false, status: 401, summary: 'A request to the gateway carried no API key.' },
  API_KEY_UNKNOWN: {
    retryable: false,
    status: 401,
    summary: 'A request to the gateway carried an API key it does not know.',
  },
  API_KEY_REVOKED: {
    retryable: false,
    status: 403,
    summary: 'A request to the gateway carried a revoked API key.',
  },
  RATE_LIMITED: {
    retryable: true,
    status: 429,
    summary: 'An API key sent more events per second than its limit; retry after the Retry-After seconds.',
  },
  GATEWAY_PAUSED: {
    retryable: true,
    status: 503,
    summary: 'An operator paused the gateway’s intake; retry after the Retry-After seconds.',
  },
  GATEWAY_OVERLOADED: {
    retryable: true,
    status: 503,
    summary:
      'The gateway has as many events waiting for Kafka as it may hold; retry after the Retry-After seconds.',
  },
  BODY_TOO_LARGE: {
    retryable: false,
    status: 413,
    summary: 'A request body is larger than GATEWAY_MAX_BODY_BYTES.',
  },
  BATCH_TOO_LARGE: {
    retryable: false,
    status: 413,
    summary: 'A request holds more events than GATEWAY_MAX_BATCH_EVENTS.',
  },
  BODY_NOT_JSON: {
    retryable: false,
    status: 400,
    summary:
      'An application/json request body is not valid UTF-8 JSON (NDJSON reports each bad line instead).',
  },
  BATCH_EMPTY: { retryable: false, status: 400, summary: 'A request holds no event.' },
  UNSUPPORTED_MEDIA_TYPE: {
    retryable: false,
    status: 415,
    summary: 'A request body is neither application/json nor application/x-ndjson.',
  },
  EVENTS_REJECTED: {
    retryable: false,
    status: 422,
    summary: 'No event of a request is valid; the response lists each one with its field and reason.',
  },
  REQUEST_TIMEOUT: {
    retryable: true,
    status: 408,
    summary: 'A request was not received completely in time.',
  },
  // the control service (panel and API) and the commands it takes
  AUTH_REQUIRED: {
    retryable: false,
    status: 401,
    summary: 'A control API request came without a session or bearer token (sign in, or set SRETL_TOKEN).',
  },
  LOGIN_FAILED: {
    retryable: false,
    status: 401,
    summary: 'A sign-in to the control panel gave a wrong user name or password.',
  },
  LOGIN_RATE_LIMITED: {
    retryable: true,
    status: 429,
    summary:
      'Too many sign-in attempts (or wrong tokens) from one address or for one user; retry after Retry-After.',
  },
  TOKEN_INVALID: {
    retryable: false,
    status: 401,
    summary: 'A control API request carried a bearer token no user has.',
  },
  CSRF_TOKEN_INVALID: {
    retryable: false,
    status: 403,
    summary: 'A change through a panel session came without its CSRF token header, or from another origin.',
  },
  ADMIN_TOKEN_INVALID: {
    retryable: false,
    status: 401,
    summary:
      'A component command (POST /pause, /resume, /rate, /maintenance) came without the component-admin token, or with a wrong one.',
  },
  ORIGIN_FORBIDDEN: {
    retryable: false,
    status: 403,
    summary: 'A component command came from a web page of another site (Origin, Referer or Sec-Fetch-Site).',
  },
  HOST_FORBIDDEN: {
    retryable: false,
    status: 403,
    summary:
      'A component command was addressed to a host name that is not an address, localhost or a service name.',
  },
  ACCESS_DENIED: {
    retryable: false,
    status: 403,
    summary: 'The route grants access to nobody (no check for its level).',
  },
  LIVE_DEFAULT_REFUSED: {
    retryable: false,
    status: 500,
    summary:
      'A process outside dev mode (non-loopback bind, NODE_ENV=production, secure mode) was given a well-known key or password.',
  },
  ROLE_FORBIDDEN: {
    retryable: false,
    status: 403,
    summary:
      'The user’s role does not allow the command (viewers change nothing; the rate cap needs an admin).',
  },
  REQUEST_INVALID: {
    retryable: false,
    status: 400,
    summary: 'A control API request is missing a field or has a wrong value.',
  },
  UNKNOWN_COMPONENT: {
    retryable: false,
    status: 404,
    summary: 'A command named a component that cannot be paused or resumed.',
  },
  COMPONENT_REFUSED: {
    retryable: false,
    status: 409,
    summary: 'A component refused a command the control service passed on.',
  },
  CONFIRMATION_REQUIRED: {
    retryable: false,
    status: 409,
    summary:
      'A rate increase larger than CONTROL_RATE_CONFIRM_FACTOR needs an explicit confirmation; nothing changed.',
  },
  LIMIT_INVALID: {
    retryable: false,
    status: 400,
    summary: 'A rate cap that is not a number ≥ 0 or is above the simulator’s own cap was refused.',
  },
  DEAD_LETTER_NOT_FOUND: {
    retryable: false,
    status: 404,
    summary:
      'No such dead letter is held by the control service (it may be older than the newest ones it keeps).',
  },
  STORE_NOT_FOUND: {
    retryable: false,
    status: 404,
    summary: 'The business view was asked for a store that is not in the stores table.',
  },
  REPLAY_REFUSED: {
    retryable: false,
    status: 409,
    summary:
      'A dead letter cannot be replayed: cut short (too large), or replayed too often already (a loop).',
  },
  REPLAY_IN_PROGRESS: {
    retryable: true,
    status: 409,
    summary: 'Another replay of dead letters is running; retry when it ends.',
  },
  STREAM_LIMIT: {
    retryable: true,
    status: 503,
    summary: 'As many panels as CONTROL_MAX_STREAMS already receive live updates.',
  },
  // checks
  SMOKE_FAILED: {
    retryable: true,
    status: 500,
    summary: '`sretl smoke` found the running stack unhealthy (the table it prints names each failed check).',
  },
  EVENT_DB_REJECTED: {
    retryable: false,
    status: 422,
    summary:
      'PostgreSQL refused to store an event that passed validation (a constraint or a value it cannot hold).',
  },
  // the lander
  LANDER_UNREACHABLE: {
    retryable: true,
    status: 502,
    summary: 'The lander did not answer on its HTTP port (LANDER_PORT).',
  },
  LANDER_RETRYING: {
    retryable: true,
    status: 503,
    summary:
      'Landing a batch failed for a reason a retry can fix (PostgreSQL down, a deadlock); it is retried.',
  },
  LANDER_STUCK: {
    retryable: true,
    status: 503,
    summary:
      'Landing a batch failed for a reason the lander cannot fix itself (a missing table, a permission); it keeps retrying.',
  },
  GROUP_ACTIVE: {
    retryable: false,
    status: 409,
    summary: 'Offsets of a consumer group can only be reset while no member of the group runs.',
  },
  // partition maintenance
  PARTITION_MAINTENANCE_FAILED: {
    retryable: true,
    status: 500,
    summary:
      'Creating or dropping daily partitions of sales_raw failed (often a lock it could not get in time).',
  },
  // the aggregates
  AGGREGATES_PUBLISH_FAILED: {
    retryable: true,
    status: 500,
    summary:
      'A publish cycle of the aggregates failed (Kafka did not acknowledge, PostgreSQL failed); it was rolled back and is retried, nothing is lost.',
  },
  AGGREGATES_DIFFER: {
    retryable: false,
    status: 500,
    summary: '`sretl verify` found aggregate rows that differ from what the oracle computes from sales_raw.',
  },
  // backup and restore
  BACKUP_FILE_EXISTS: {
    retryable: false,
    status: 409,
    summary: '`sretl backup` never writes over an existing backup file or manifest.',
  },
  BACKUP_FAILED: {
    retryable: true,
    status: 500,
    summary: 'pg_dump failed or is not installed; no backup file was written.',
  },
  BACKUP_INVALID: {
    retryable: false,
    status: 400,
    summary: 'A backup to restore is missing, has no manifest, or is not the file its manifest describes.',
  },
  RESTORE_TARGET_NOT_EMPTY: {
    retryable: false,
    status: 409,
    summary: '`sretl restore` refuses a database that has tables already, unless told to replace it.',
  },
  RESTORE_FAILED: {
    retryable: false,
    status: 500,
    summary: 'pg_restore failed, or the restored row counts differ from the backup’s manifest.',
  },
  // anything else
  INTERNAL: { retryable: false, status: 500, summary: 'A bug: an error the program did not expect.' },
} as const satisfies Record<string, ErrorSpec>

export type ErrorCode = keyof typeof errorCatalogue

/** The HTTP status a request answered with this error gets. */
export function httpStatus(code: ErrorCode): number {
  return errorCatalogue[code].status
}

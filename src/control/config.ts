/** The control service's settings (docs/configuration.md, section "control"). */
import { combineSections, defineSection, enumVar, intVar, numberVar, stringVar } from '../platform/config.ts'
import { CERTIFICATE_NAMES, type CertificateName } from '../platform/certificates.ts'
import { componentPorts, controlTargetsSection, type ComponentUrls } from '../platform/control-targets.ts'

export const controlOwnSection = defineSection(
  {
    CONTROL_PORT: componentPorts.control,
    CONTROL_HOST: stringVar(
      'Address the control panel and API listen on (0.0.0.0 in a container, behind TLS).',
      '127.0.0.1',
    ),
    CONTROL_USERS_FILE: stringVar(
      'Users of the panel and API, one per line: <user>:<viewer|operator|admin>:<scrypt$… password hash | sha256$… token hash> (`sretl control-user` makes lines). Default: $SRETL_HOME/control/users, created on first start with one admin whose password and token are written to $SRETL_HOME/control/first-run-admin.txt (mode 0600).',
    ),
    CONTROL_SESSION_IDLE_MINUTES: intVar('A session ends after this many minutes without a request.', 60, {
      min: 1,
      max: 7 * 24 * 60,
    }),
    CONTROL_SESSION_MAX_HOURS: intVar('A session ends this many hours after sign-in, however active.', 12, {
      min: 1,
      max: 24 * 30,
    }),
    CONTROL_MAX_SESSIONS: intVar(
      'Most sessions held at once; the least recently used one ends first.',
      1000,
      {
        min: 1,
        max: 1_000_000,
      },
    ),
    CONTROL_COOKIE_SECURE: enumVar(
      'Secure flag of the session cookie: auto (when the request came over HTTPS — from a proxy listed in TRUSTED_PROXIES, as X-Forwarded-Proto says), always, never.',
      ['auto', 'always', 'never'],
      'auto',
    ),
    CONTROL_LOGIN_ATTEMPTS_PER_MINUTE: intVar(
      'Sign-in attempts allowed per minute from one address and for one user name (and wrong bearer tokens per address); more are answered 429.',
      10,
      { min: 1, max: 10_000 },
    ),
    CONTROL_POLL_INTERVAL_MS: intVar(
      'How often the control service reads every component’s /status and /metrics (the panel’s charts move at this pace).',
      1000,
      { min: 100, max: 2000 },
    ),
    CONTROL_HISTORY_MINUTES: intVar('Minutes of chart history kept in memory and sent to a new panel.', 15, {
      min: 1,
      max: 240,
    }),
    CONTROL_MAX_STREAMS: intVar('Most panels receiving live updates (Server-Sent Events) at once.', 50, {
      min: 1,
      max: 10_000,
    }),
    CONTROL_COMMAND_TIMEOUT_MS: intVar('How long a command may wait for a component to answer.', 5000, {
      min: 100,
      max: 120_000,
    }),
    CONTROL_RATE_CAP_PER_SEC: numberVar(
      'The simulator rate operators may set at most, until an admin changes it in the panel (the last change is kept in audit_log); 0 = the simulator’s own cap (SIMULATOR_MAX_RATE_PER_SEC). Never above the simulator’s cap.',
      0,
      { min: 0 },
    ),
    CONTROL_RATE_CONFIRM_FACTOR: numberVar(
      'A rate increase to more than this many times the current rate needs an explicit confirmation (409 CONFIRMATION_REQUIRED).',
      4,
      { min: 1 },
    ),
    CONTROL_RATE_CONFIRM_MIN_STEP: numberVar(
      'Increases smaller than this many events/s never need a confirmation, whatever the factor.',
      100,
      { min: 0 },
    ),
    CONTROL_LAG_WARN_SECONDS: numberVar(
      'The health summary says "falling behind" from this lag (age of the oldest event not landed).',
      30,
      { min: 0 },
    ),
    CONTROL_LAG_CRITICAL_SECONDS: numberVar(
      'The health summary turns critical from this lag (the lag objective is 60 s).',
      60,
      { min: 0 },
    ),
    CONTROL_DLQ_INDEX_MAX_RECORDS: intVar(
      'Newest dead letters the control service holds for browsing and replay (counts cover the whole topic).',
      20_000,
      { min: 10, max: 10_000_000 },
    ),
    CONTROL_DLQ_INDEX_MAX_BYTES: intVar(
      'Most bytes of dead letters held for browsing and replay.',
      64 * 1024 * 1024,
      {
        min: 1024 * 1024,
        max: 8 * 1024 * 1024 * 1024,
      },
    ),
    CONTROL_DLQ_REPLAY_RATE_PER_SEC: numberVar('Dead letters replayed per second at most.', 200, {
      min: 1,
      max: 100_000,
    }),
    CONTROL_DLQ_REPLAY_MAX_PER_REQUEST: intVar('Most dead letters one replay request sends.', 1000, {
      min: 1,
      max: 100_000,
    }),
    CONTROL_TLS_CERTIFICATES: stringVar(
      'Certificates whose expiry the control service exports (sretl_control_tls_certificate_expiry_timestamp_seconds), as <name>=<PEM file>,… with names ca, kafka, postgres. `sretl up --secure` sets it.',
    ),
    CONTROL_DLQ_MAX_REPLAYS: intVar(
      'A message replayed this many times already (header replay.count) is not replayed again: it is looping.',
      3,
      { min: 1, max: 100 },
    ),
  },
  (v) => {
    if (v.CONTROL_LAG_CRITICAL_SECONDS < v.CONTROL_LAG_WARN_SECONDS) {
      throw new Error('CONTROL_LAG_CRITICAL_SECONDS: must be at least CONTROL_LAG_WARN_SECONDS')
    }
    return {
      tlsCertificates: parseCertificateList(v.CONTROL_TLS_CERTIFICATES),
      port: v.CONTROL_PORT,
      host: v.CONTROL_HOST,
      usersFile: v.CONTROL_USERS_FILE,
      session: {
        idleMs: v.CONTROL_SESSION_IDLE_MINUTES * 60_000,
        maxAgeMs: v.CONTROL_SESSION_MAX_HOURS * 3_600_000,
        max: v.CONTROL_MAX_SESSIONS,
        secureCookie: v.CONTROL_COOKIE_SECURE,
      },
      loginAttemptsPerMinute: v.CONTROL_LOGIN_ATTEMPTS_PER_MINUTE,
      pollIntervalMs: v.CONTROL_POLL_INTERVAL_MS,
      historyPoints: Math.ceil((v.CONTROL_HISTORY_MINUTES * 60_000) / v.CONTROL_POLL_INTERVAL_MS),
      maxStreams: v.CONTROL_MAX_STREAMS,
      commandTimeoutMs: v.CONTROL_COMMAND_TIMEOUT_MS,
      rate: {
        defaultCapPerSec: v.CONTROL_RATE_CAP_PER_SEC === 0 ? null : v.CONTROL_RATE_CAP_PER_SEC,
        confirmFactor: v.CONTROL_RATE_CONFIRM_FACTOR,
        confirmMinStep: v.CONTROL_RATE_CONFIRM_MIN_STEP,
      },
      lag: { warnSeconds: v.CONTROL_LAG_WARN_SECONDS, criticalSeconds: v.CONTROL_LAG_CRITICAL_SECONDS },
      dlq: {
        indexMaxRecords: v.CONTROL_DLQ_INDEX_MAX_RECORDS,
        indexMaxBytes: v.CONTROL_DLQ_INDEX_MAX_BYTES,
        replayRatePerSec: v.CONTROL_DLQ_REPLAY_RATE_PER_SEC,
        replayMaxPerRequest: v.CONTROL_DLQ_REPLAY_MAX_PER_REQUEST,
        maxReplays: v.CONTROL_DLQ_MAX_REPLAYS,
      },
    }
  },
)

export type ControlSettings = ReturnType<typeof controlOwnSection.build>

/** What `sretl run control` parses: its own settings and every component's address. */
export const controlSection = combineSections({ settings: controlOwnSection, urls: controlTargetsSection })

export interface ControlConfig {
  readonly settings: ControlSettings
  readonly urls: ComponentUrls
}

function parseCertificateList(raw: string | undefined): Partial<Record<CertificateName, string>> {
  const out: Partial<Record<CertificateName, string>> = {}
  for (const item of (raw ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = item.indexOf('=')
    const name = item.slice(0, Math.max(at, 0))
    const file = item.slice(at + 1).trim()
    if (at <= 0 || file === '' || !isCertificateName(name)) {
      throw new Error(
        `CONTROL_TLS_CERTIFICATES: "${item}" must be <name>=<file> with a name of ${CERTIFICATE_NAMES.join(', ')}`,
      )
    }
    out[name] = file
  }
  return out
}

function isCertificateName(name: string): name is CertificateName {
  return (CERTIFICATE_NAMES as readonly string[]).includes(name)
}

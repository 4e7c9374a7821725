/**
 * How `sretl up` keeps the processes it started running (ADR 0060): restart backoff and the
 * crash-loop guard.
 */
import { defineSection, intVar } from './config.ts'

export const supervisionSection = defineSection(
  {
    STACK_RESTART_BACKOFF_MS: intVar(
      'Delay before `sretl up` restarts a process that exited; doubles with each further exit within STACK_CRASH_LOOP_WINDOW_MS.',
      500,
      { min: 0, max: 600_000 },
    ),
    STACK_RESTART_BACKOFF_MAX_MS: intVar('Longest delay between two restarts of one process.', 30_000, {
      min: 0,
      max: 3_600_000,
    }),
    STACK_CRASH_LOOP_RESTARTS: intVar(
      'Restarts allowed within STACK_CRASH_LOOP_WINDOW_MS; one more exit is a crash loop and `sretl up` stops restarting that process (the rest keeps running).',
      5,
      { min: 0, max: 1000 },
    ),
    STACK_CRASH_LOOP_WINDOW_MS: intVar('The window of the crash-loop guard.', 120_000, {
      min: 1000,
      max: 86_400_000,
    }),
    STACK_POSTGRES_CHECK_INTERVAL_MS: intVar(
      'How often `sretl up` checks that the PostgreSQL cluster it started still runs (it starts it again if not).',
      5000,
      { min: 100, max: 600_000 },
    ),
  },
  (v) => ({
    policy: {
      initialBackoffMs: v.STACK_RESTART_BACKOFF_MS,
      maxBackoffMs: v.STACK_RESTART_BACKOFF_MAX_MS,
      maxRestarts: v.STACK_CRASH_LOOP_RESTARTS,
      windowMs: v.STACK_CRASH_LOOP_WINDOW_MS,
    },
    postgresCheckIntervalMs: v.STACK_POSTGRES_CHECK_INTERVAL_MS,
  }),
)

export type SupervisionConfig = ReturnType<typeof supervisionSection.build>

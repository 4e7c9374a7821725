/** Progress of long start-up steps, reported by the launcher and shown by the CLI. */
export type ProgressState = 'start' | 'update' | 'done' | 'skip' | 'fail'

export interface ProgressEvent {
  /** Short name of the step: "kafka", "postgres", "migrations", … */
  readonly step: string
  readonly state: ProgressState
  readonly detail?: string
}

export type OnProgress = (event: ProgressEvent) => void

export const ignoreProgress: OnProgress = () => undefined

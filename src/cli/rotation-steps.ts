/**
 * The steps of `sretl rotate-secrets`, in the order they run. Each replaces one generated secret
 * so that the running stack carries on (no lost or doubled event): it writes the new value
 * atomically and relies on the readers' re-read, or on an overlap in which old and new both work.
 * Secure mode adds its steps here (database passwords, Kafka SCRAM credentials).
 */
import { adminTokenPath, rotateAdminToken } from '../platform/admin-token.ts'
import type { BaseConfig } from '../platform/base-config.ts'

export interface RotationStep {
  readonly name: string
  readonly summary: string
  /** Rotates the secret; returns one line saying what changed (never the secret itself). */
  rotate(config: BaseConfig): Promise<string> | string
}

export const rotationSteps: readonly RotationStep[] = [
  {
    name: 'component-admin-token',
    summary: 'the token the command routes of the gateway, simulator and lander require',
    rotate(config) {
      const path = adminTokenPath(config)
      rotateAdminToken(path)
      return `new token written to ${path} (0600); components and the control service pick it up on their next command`
    },
  },
]

/** Every chaos scenario in order; C3 (losing a broker of three) runs with `--brokers 3`. */
import type { Scenario } from '../runner.ts'
import { brokerLoss } from './broker-loss.ts'
import { gatewayKill } from './gateway-kill.ts'
import { landerKills } from './lander-kills.ts'
import { ambiguousCommit, postgresRestart, readOnlyPostgres, slowPostgres } from './postgres-faults.ts'
import { replayFromEarliest } from './replay.ts'
import { duplicates, poisonMix, zombieLander } from './stream-faults.ts'

export interface ScenarioSlot {
  readonly id: string
  /** Undefined: not built yet, and why. */
  readonly scenario?: Scenario
  readonly missing?: string
  /** Runs only on a cluster of this many nodes (`--brokers`). */
  readonly brokers?: number
}

export const SCENARIOS: readonly ScenarioSlot[] = [
  { id: 'C1', scenario: landerKills },
  { id: 'C2', scenario: gatewayKill },
  { id: 'C3', scenario: brokerLoss, brokers: 3 },
  { id: 'C4', scenario: postgresRestart },
  { id: 'C5', scenario: ambiguousCommit },
  { id: 'C6', scenario: slowPostgres },
  { id: 'C7', scenario: poisonMix },
  { id: 'C8', scenario: replayFromEarliest },
  { id: 'C9', scenario: duplicates },
  { id: 'C10', scenario: zombieLander },
  { id: 'C11', scenario: readOnlyPostgres },
]

/**
 * Every configuration section of the program, for docs checks and `sretl config`-style help.
 * A component adds its section here when it joins.
 */
import { gatewaySection } from '../gateway/config.ts'
import { baseSections } from '../platform/base-config.ts'
import type { AnySection } from '../platform/config.ts'
import { monitoringSection } from '../platform/monitoring-config.ts'
import { simulatorSection } from '../simulator/config.ts'
import { controlTargetsSection } from './control-targets.ts'
import { maintenanceSection } from '../platform/partition-maintenance.ts'
import { landerOwnSection } from '../lander/config.ts'
import { aggregatesSection } from '../lander/aggregates/config.ts'

export const allConfigSections: Readonly<Record<string, AnySection>> = {
  ...baseSections,
  monitoring: monitoringSection,
  simulator: simulatorSection,
  gateway: gatewaySection,
  cli: controlTargetsSection,
  lander: landerOwnSection,
  maintenance: maintenanceSection,
  aggregates: aggregatesSection,
}

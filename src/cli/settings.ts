/**
 * Every configuration section of the program, for docs checks and `sretl config`-style help.
 * A component adds its section here when it joins.
 */
import { baseSections } from '../platform/base-config.ts'
import type { AnySection } from '../platform/config.ts'
import { maintenanceSection } from '../platform/partition-maintenance.ts'
import { landerOwnSection } from '../lander/config.ts'

export const allConfigSections: Readonly<Record<string, AnySection>> = {
  ...baseSections,
  lander: landerOwnSection,
  maintenance: maintenanceSection,
}

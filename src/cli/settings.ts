/**
 * Every configuration section of the program, for docs checks and `sretl config`-style help.
 * A component adds its section here when it joins.
 */
import { baseSections } from '../platform/base-config.ts'
import type { AnySection } from '../platform/config.ts'
import { monitoringSection } from '../platform/monitoring-config.ts'

export const allConfigSections: Readonly<Record<string, AnySection>> = {
  ...baseSections,
  monitoring: monitoringSection,
}

/**
 * Every configuration section of the program, for docs checks and `sretl config`-style help.
 * A component's own section is required here by the manifest's ComponentName.
 */
import { gatewaySection } from '../gateway/config.ts'
import { baseSections } from '../platform/base-config.ts'
import type { ComponentName } from '../platform/component-manifest.ts'
import type { AnySection } from '../platform/config.ts'
import { monitoringSection } from '../platform/monitoring-config.ts'
import { supervisionSection } from '../platform/supervision-config.ts'
import { simulatorSection } from '../simulator/config.ts'
import { controlOwnSection } from '../control/config.ts'
import { controlTargetsSection } from '../platform/control-targets.ts'
import { cliAuthSection } from './control-client.ts'
import { maintenanceSection } from '../database/maintenance-settings.ts'
import { landerOwnSection } from '../lander/config.ts'
import { aggregatesSection } from '../aggregates/in-stream/config.ts'
import { privacySection } from './privacy.ts'

/** Each component's own section: typed by the manifest, so a new component is missed by no one. */
const componentSections: Readonly<Record<ComponentName, AnySection>> = {
  simulator: simulatorSection,
  gateway: gatewaySection,
  control: controlOwnSection,
  lander: landerOwnSection,
}

export const allConfigSections: Readonly<Record<string, AnySection>> = {
  ...baseSections,
  monitoring: monitoringSection,
  supervision: supervisionSection,
  ...componentSections,
  cli: controlTargetsSection,
  'cli auth': cliAuthSection,
  maintenance: maintenanceSection,
  aggregates: aggregatesSection,
  privacy: privacySection,
}

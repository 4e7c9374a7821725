/**
 * The settings every process shares about how closed it must be: secure mode, the deployment
 * kind, where the per-stack component-admin token lives, and which proxies may speak for a
 * client. Part of the base config (base-config.ts), so components, the control service, `sretl`
 * and the stack launcher read the same values.
 */
import { resolve } from 'node:path'
import { boolVar, defineSection, stringVar } from './config.ts'

export const securitySection = defineSection(
  {
    SRETL_SECURE: boolVar(
      'Secure mode: Kafka over SASL_SSL, TLS to PostgreSQL, per-component logins (`sretl up --secure` sets it). Also refuses to start with any well-known key or password.',
      false,
    ),
    NODE_ENV: stringVar(
      'Kind of deployment. `production` refuses to start with any well-known key or password (the gateway’s dev key, the loyalty HMAC key, the database password `sretl`).',
    ),
    COMPONENT_ADMIN_TOKEN_FILE: stringVar(
      'File holding the per-stack component-admin token that command routes of the gateway, simulator and lander require (POST /pause, /resume, /rate, /maintenance). Created on first run (random, mode 0600, directory 0700); `sretl rotate-secrets` replaces it. Default: $SRETL_HOME/secrets/component-admin-token.',
    ),
    TRUSTED_PROXIES: stringVar(
      'Addresses or CIDRs of reverse proxies whose X-Forwarded-For/-Proto are believed (comma-separated, e.g. 127.0.0.1,10.0.0.0/8). Empty: the peer address is the client.',
    ),
  },
  (v) => {
    return {
      secure: v.SRETL_SECURE,
      production: v.NODE_ENV === 'production',
      /** Unset: $SRETL_HOME/secrets/component-admin-token (see adminTokenPath in admin-token.ts). */
      adminTokenFile:
        v.COMPONENT_ADMIN_TOKEN_FILE === undefined ? undefined : resolve(v.COMPONENT_ADMIN_TOKEN_FILE),
      trustedProxies: (v.TRUSTED_PROXIES ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    }
  },
)

export type SecurityConfig = ReturnType<typeof securitySection.build>

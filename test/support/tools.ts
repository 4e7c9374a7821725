/**
 * Tests that need an installed tool (promtool, amtool, Prometheus, Alertmanager, the exporter) skip
 * with a reason on a developer's machine, but CI must not pass by skipping them: .ci/run sets
 * SRETL_REQUIRE_TOOLS=1, and then a missing tool fails the test file with the same reason.
 */
export function skipUnlessInstalled(reason: string | false): string | false {
  if (reason === false) return false
  if (process.env.SRETL_REQUIRE_TOOLS === '1') {
    throw new Error(
      `${reason} — SRETL_REQUIRE_TOOLS=1 (CI): a missing tool fails the tests instead of skipping them`,
    )
  }
  return reason
}

/**
 * The alert and recording rule files the project ships, read from deploy/prometheus/rules, so
 * tests that check what Prometheus loaded follow a new rule file without editing a list.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

export const RULES_DIR = fileURLToPath(new URL('../../deploy/prometheus/rules', import.meta.url))

export function ruleFiles(): string[] {
  return readdirSync(RULES_DIR)
    .filter((name) => name.endsWith('.rules.yml'))
    .sort()
    .map((name) => join(RULES_DIR, name))
}

/** Every rule group's name, sorted. */
export function ruleGroupNames(): string[] {
  return ruleFiles()
    .flatMap((file) => (parse(readFileSync(file, 'utf8')) as { groups: { name: string }[] }).groups)
    .map((group) => group.name)
    .sort()
}

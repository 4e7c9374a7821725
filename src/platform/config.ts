/**
 * Configuration machinery: every setting is an environment variable, declared once in a section
 * (a zod shape keyed by the variable's name), parsed once at start-up into a frozen typed object.
 * Nothing else in the program reads process.env: main() hands the environment to loadConfig.
 */
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { SretlError } from './errors.ts'

export type Env = Readonly<Record<string, string | undefined>>

export interface ConfigSection<Shape extends z.ZodRawShape, T> {
  readonly shape: Shape
  readonly build: (values: z.output<z.ZodObject<Shape>>, env: Env) => T
}

export function defineSection<Shape extends z.ZodRawShape, T>(
  shape: Shape,
  build: (values: z.output<z.ZodObject<Shape>>, env: Env) => T,
): ConfigSection<Shape, T> {
  return { shape, build }
}

// Sections differ in shape; each one is type-checked where it is defined.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnySection = ConfigSection<any, any>
type SectionMap = Record<string, AnySection>
type BuiltSections<M extends SectionMap> = {
  readonly [K in keyof M]: ReturnType<M[K]['build']>
}

/** Joins sections into one; their variables share one namespace, so a name may appear once. */
export function combineSections<M extends SectionMap>(
  sections: M,
): ConfigSection<z.ZodRawShape, BuiltSections<M>> {
  const shape: Record<string, z.ZodType> = {}
  for (const section of Object.values(sections)) {
    for (const [name, schema] of Object.entries(section.shape as Record<string, z.ZodType>)) {
      if (name in shape && shape[name] !== schema) {
        throw new Error(`config variable ${name} is declared by two sections`)
      }
      shape[name] = schema
    }
  }
  return defineSection(shape, (values, env) => {
    const out: Record<string, unknown> = {}
    for (const [key, section] of Object.entries(sections)) {
      const own: Record<string, unknown> = {}
      for (const name of Object.keys(section.shape as object)) own[name] = values[name]
      out[key] = section.build(own, env)
    }
    return out as BuiltSections<M>
  })
}

/**
 * Parses the environment against a section. `NAME_FILE` gives a variable's value from a file
 * (for secrets). Any problem stops start-up with one message naming every bad variable.
 */
export function loadConfig<S extends AnySection>(env: Env, section: S): Readonly<ReturnType<S['build']>> {
  type T = ReturnType<S['build']>
  const raw: Record<string, string | undefined> = {}
  const problems: string[] = []
  const shape = section.shape as Record<string, z.ZodType>
  for (const name of Object.keys(shape)) {
    const direct = emptyToUndefined(env[name])
    const file = emptyToUndefined(env[`${name}_FILE`])
    if (direct !== undefined && file !== undefined) {
      problems.push(`${name}: set either ${name} or ${name}_FILE, not both`)
      continue
    }
    if (file !== undefined) {
      try {
        raw[name] = readFileSync(file, 'utf8').replace(/\r?\n$/, '')
      } catch (err) {
        problems.push(`${name}_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`)
      }
      continue
    }
    raw[name] = direct
  }
  const parsed = z.object(shape).safeParse(raw)
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const name = String(issue.path[0] ?? '?')
      problems.push(`${name}: ${issue.code === 'invalid_type' ? 'is required' : issue.message}`)
    }
  }
  if (problems.length > 0 || !parsed.success) {
    throw new SretlError('CONFIG_INVALID', `invalid configuration: ${problems.join('; ')}`, {
      details: { problems },
    })
  }
  let built: T
  try {
    built = section.build(parsed.data, env) as T
  } catch (err) {
    if (err instanceof SretlError) throw err
    throw new SretlError('CONFIG_INVALID', `invalid configuration: ${(err as Error).message}`)
  }
  return deepFreeze(built)
}

export interface VariableDoc {
  readonly name: string
  readonly description: string
}

/** Every variable a section reads, with its description, for docs and `--help`. */
export function describeSection(section: AnySection): VariableDoc[] {
  return Object.entries(section.shape as Record<string, z.ZodType>).map(([name, schema]) => ({
    name,
    description: schema.description ?? '',
  }))
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const inner of Object.values(value)) deepFreeze(inner)
  }
  return value
}

// ---- variable types: each takes the raw string and gives a plain-language reason on failure ----

export function stringVar(description: string): z.ZodOptional<z.ZodString>
export function stringVar(description: string, fallback: string): z.ZodDefault<z.ZodString>
export function stringVar(description: string, fallback?: string): z.ZodType {
  const base = z.string().trim().min(1, 'must not be empty')
  return (fallback === undefined ? base.optional() : base.default(fallback)).describe(description)
}

export function requiredStringVar(description: string) {
  return z.string().trim().min(1, 'must not be empty').describe(description)
}

export function intVar(description: string, fallback: number, range: { min?: number; max?: number } = {}) {
  const min = range.min ?? Number.MIN_SAFE_INTEGER
  const max = range.max ?? Number.MAX_SAFE_INTEGER
  return z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const text = raw.trim().replaceAll('_', '')
      if (!/^-?\d+$/.test(text)) {
        ctx.addIssue({ code: 'custom', message: `must be a whole number, got "${raw}"` })
        return z.NEVER
      }
      const n = Number(text)
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` })
        return z.NEVER
      }
      return n
    })
    .describe(description)
}

export function numberVar(description: string, fallback: number, range: { min?: number; max?: number } = {}) {
  const min = range.min ?? -Infinity
  const max = range.max ?? Infinity
  return z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const n = Number(raw.trim())
      if (raw.trim() === '' || !Number.isFinite(n)) {
        ctx.addIssue({ code: 'custom', message: `must be a number, got "${raw}"` })
        return z.NEVER
      }
      if (n < min || n > max) {
        ctx.addIssue({ code: 'custom', message: `must be between ${min} and ${max}, got ${n}` })
        return z.NEVER
      }
      return n
    })
    .describe(description)
}

export function portVar(description: string, fallback: number) {
  return intVar(description, fallback, { min: 0, max: 65535 })
}

export function boolVar(description: string, fallback: boolean) {
  return z
    .string()
    .default(String(fallback))
    .transform((raw, ctx) => {
      const text = raw.trim().toLowerCase()
      if (['1', 'true', 'yes', 'on'].includes(text)) return true
      if (['0', 'false', 'no', 'off'].includes(text)) return false
      ctx.addIssue({ code: 'custom', message: `must be true or false, got "${raw}"` })
      return z.NEVER
    })
    .describe(description)
}

export function enumVar<const V extends readonly [string, ...string[]]>(
  description: string,
  values: V,
  fallback: V[number],
) {
  return z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const text = raw.trim()
      if (isOneOf(values, text)) return text
      ctx.addIssue({ code: 'custom', message: `must be one of ${values.join(', ')}, got "${raw}"` })
      return z.NEVER
    })
    .describe(description)
}

export function urlVar(description: string, protocols: readonly string[]) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined
      let url: URL
      try {
        url = new URL(raw.trim())
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a URL' })
        return z.NEVER
      }
      if (!protocols.includes(url.protocol)) {
        ctx.addIssue({ code: 'custom', message: `must start with ${protocols.join(' or ')}` })
        return z.NEVER
      }
      return url.toString()
    })
    .describe(description)
}

function isOneOf<V extends readonly string[]>(values: V, text: string): text is V[number] {
  return values.includes(text)
}

/** host:port[,host:port…] */
export function hostPortListVar(description: string) {
  return z
    .string()
    .optional()
    .transform((raw, ctx) => {
      if (raw === undefined) return undefined
      const items = raw
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
      const bad = items.filter((item) => !/^[\w.-]+:\d{1,5}$|^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(item))
      if (items.length === 0 || bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `must be host:port[,host:port…], got "${raw}"` })
        return z.NEVER
      }
      return items
    })
    .describe(description)
}

/** A JVM-style size: 512m, 1g. */
export function jvmSizeVar(description: string, fallback: string) {
  return z
    .string()
    .default(fallback)
    .transform((raw, ctx) => {
      const text = raw.trim().toLowerCase()
      if (!/^\d+[mg]$/.test(text)) {
        ctx.addIssue({ code: 'custom', message: `must be a size like 512m or 1g, got "${raw}"` })
        return z.NEVER
      }
      return text
    })
    .describe(description)
}

/** Which outer names a function reads without them being part of its key, and the refusal for them. */
import { CairnError, ErrorCode, invalidArgument } from '../errors.js'
import { isPureGlobalRead } from './globals.js'
import type { ScopeFacts } from './scope.js'

/** One read the key does not cover. */
export interface UnkeyedRead {
  /** What is read: `SCALE`, `Date`, or `Math.random` for an impure member of a pure global. */
  name: string
  /** The variable behind it (`Math` for `Math.random`); `allowFreeVariables` may name either. */
  variable: string
  /** Where it is read: undefined for the task itself, else the dep's name. */
  dep?: string
}

/** Reads of the analyzed function that neither `keyed` names nor the pure-globals list cover. */
export function unkeyedReads(facts: ScopeFacts, keyed: ReadonlySet<string>, dep?: string): UnkeyedRead[] {
  const reads: UnkeyedRead[] = []
  const add = (name: string, variable: string): void => {
    reads.push(dep === undefined ? { name, variable } : { name, variable, dep })
  }
  for (const variable of [...facts.free].sort()) {
    if (keyed.has(variable)) continue
    if (!isPureGlobalRead(variable)) add(variable, variable)
    else {
      const members = [...(facts.members.get(variable) ?? [])].sort()
      for (const m of members) if (!isPureGlobalRead(variable, m)) add(`${variable}.${m}`, variable)
    }
  }
  return reads
}

/** How a read is recorded in `TaskRecord.unkeyedFreeVariables`: `SCALE`, or `deps.helper.SCALE`. */
export function recordedName(read: UnkeyedRead): string {
  return read.dep === undefined ? read.name : `deps.${read.dep}.${read.name}`
}

export interface FreeVariablePolicy {
  /** Names that may be read unkeyed (`true`: all). */
  allowFreeVariables?: boolean | readonly string[]
  /** Refuse `allowFreeVariables` itself: every read must be keyed. */
  strict?: boolean
}

/**
 * Refuses (CAIRN_FREE_VARIABLES) every read the policy does not allow, naming each and its fix;
 * returns the allowed ones as they are recorded in the commit.
 */
export function enforceFreeVariablePolicy(
  label: string,
  reads: readonly UnkeyedRead[],
  policy: FreeVariablePolicy,
  declaredDeps: readonly string[],
): string[] {
  const allow = policy.allowFreeVariables
  if (allow !== undefined && allow !== false && allow !== true && !Array.isArray(allow)) {
    throw invalidArgument('allowFreeVariables must be true, false or a list of variable names', { label })
  }
  const opted = allow === true || (Array.isArray(allow) && allow.length > 0)
  if (policy.strict && opted) {
    throw invalidArgument(
      `${label}: strict mode refuses allowFreeVariables; every variable a task reads must be declared in deps or passed as an argument`,
      { label },
    )
  }
  // An entry names a variable (`SCALE`), a read (`Math.random`), or every read of one dep (`deps.helper`).
  const matches = (entry: string, read: UnkeyedRead): boolean =>
    entry === read.name || entry === read.variable || (read.dep !== undefined && entry === `deps.${read.dep}`)
  const allowed = (read: UnkeyedRead): boolean =>
    allow === true || (Array.isArray(allow) && allow.some((entry) => matches(entry, read)))
  if (Array.isArray(allow)) {
    const stale = allow.filter((entry) => !reads.some((read) => matches(entry, read)))
    if (stale.length > 0) {
      throw invalidArgument(
        `${label}: allowFreeVariables names ${stale.join(', ')}, which it does not read unkeyed; remove ${stale.length > 1 ? 'them' : 'it'}`,
        { label, names: stale },
      )
    }
  }
  const refused = reads.filter((r) => !allowed(r))
  if (refused.length > 0) throw freeVariablesError(label, refused, declaredDeps)
  return reads.map(recordedName)
}

function describe(read: UnkeyedRead): string {
  const where = read.dep === undefined ? '' : ` (read by dep "${read.dep}")`
  if (read.name !== read.variable)
    return `${read.name}${where}: not pure (it can return something else for the same call); pass its result as an argument`
  if (read.variable in globalThis)
    return `${read.name}${where}: a global that is not on Cairn's list of pure globals (it can give different results between calls); pass what you need from it as an argument`
  return `${read.name}${where}: an outer variable; declare it in deps (a value is hashed, a function is identified by its source)`
}

function freeVariablesError(
  label: string,
  refused: UnkeyedRead[],
  declaredDeps: readonly string[],
): CairnError {
  const keyable = refused.filter((r) => r.name === r.variable && !(r.variable in globalThis))
  const names = [...new Set(refused.map((r) => r.name))]
  const lines = [
    `${label} reads ${names.length > 1 ? 'variables' : 'a variable'} its cache key does not cover, so a cached result could be wrong when ${names.length > 1 ? 'they change' : 'it changes'}:`,
    ...refused.map((r) => `  - ${describe(r)}`),
  ]
  if (keyable.length > 0) {
    const depNames = [...new Set([...declaredDeps, ...keyable.map((r) => r.variable)])]
    lines.push(`Fix: deps: { ${depNames.join(', ')} }`)
  }
  lines.push(
    `Or accept results that may be stale: allowFreeVariables: [${names.map((n) => `'${n}'`).join(', ')}] (each commit records them as unkeyedFreeVariables).`,
  )
  return new CairnError(ErrorCode.FreeVariables, lines.join('\n'), {
    details: { label, freeVariables: refused.map(recordedName) },
  })
}

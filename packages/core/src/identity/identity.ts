import { parse } from 'acorn'
import { canonicalHash } from '../canonical/index.js'
import { CairnError, ErrorCode, invalidArgument } from '../errors.js'
import { type Hash, sha256Hex } from '../hash.js'
import {
  enforceFreeVariablePolicy,
  type FreeVariablePolicy,
  recordedName,
  type UnkeyedRead,
  unkeyedReads,
} from './free-variables.js'
import { analyzeFunction } from './scope.js'

export interface IdentityOptions extends FreeVariablePolicy {
  name?: string
  version?: string
  deps?: Record<string, unknown>
}

export interface FunctionIdentity {
  hash: Hash
  name: string
  source: string
  normalized: string
  version?: string
  deps: Record<string, Hash>
  /** The function's own outer reads that are not keyed (only ever non-empty under `allowFreeVariables`). */
  freeVariables: string[]
  /**
   * Every read the key does not cover, in the function and its deps (`SCALE`, `deps.helper.SCALE`),
   * allowed by `allowFreeVariables`. Recorded in commits; not part of `hash`.
   */
  unkeyedFreeVariables: string[]
}

export const FUNCTION_IDENTITY: unique symbol = Symbol.for('cairn.functionIdentity') as never

type Node = { type: string; [key: string]: any }

const DROPPED_KEYS = new Set(['start', 'end', 'loc', 'range', 'raw', 'sourceType'])

/** Parses a function's source (declaration, expression, arrow or method shorthand) to its function node. */
function parseFunction(source: string, label: string): Node {
  const attempts = [`(${source}\n)`, `({ ${source}\n})`, `(class { ${source}\n})`]
  for (const text of attempts) {
    let program: Node
    try {
      program = parse(text, {
        ecmaVersion: 'latest',
        sourceType: 'script',
        allowAwaitOutsideFunction: false,
      }) as Node
    } catch {
      continue
    }
    const expr = program.body?.[0]?.expression as Node | undefined
    if (!expr) continue
    if (expr.type === 'FunctionExpression' || expr.type === 'ArrowFunctionExpression') return expr
    if (expr.type === 'ObjectExpression' && expr.properties.length === 1) {
      const prop = expr.properties[0]
      if (prop.value?.type === 'FunctionExpression')
        return { ...prop.value, methodKey: prop.key, kind: prop.kind }
    }
    if (expr.type === 'ClassExpression' && expr.body.body.length === 1) {
      const member = expr.body.body[0]
      if (member.type === 'MethodDefinition')
        return { ...member.value, methodKey: member.key, kind: member.kind }
    }
  }
  throw invalidArgument(`cannot parse the source of ${label}; pass a plain function, arrow or method`, {
    label,
  })
}

/** Deterministic text of an AST without positions, raw spellings, comments or formatting. */
function serialize(node: unknown): string {
  if (node === null || node === undefined) return 'null'
  if (typeof node === 'bigint') return `${node}n`
  if (typeof node !== 'object') return JSON.stringify(node) ?? 'null'
  if (node instanceof RegExp) return JSON.stringify(String(node))
  if (Array.isArray(node)) return `[${node.map(serialize).join(',')}]`
  const n = node as Record<string, unknown>
  const keys = Object.keys(n)
    .filter((k) => !DROPPED_KEYS.has(k))
    .sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${serialize(k === 'value' && n.regex ? null : n[k])}`).join(',')}}`
}

/** The canonical form of a function's source. Throws CAIRN_INVALID_ARGUMENT if it cannot be parsed. */
export function normalizeSource(source: string): string {
  return serialize(parseFunction(source, 'function'))
}

/**
 * The identity of a function: normalized source, version and deps. Refuses (CAIRN_FREE_VARIABLES)
 * a function that, itself or through a dep, reads an outer variable or impure global its deps do
 * not declare, unless `allowFreeVariables` names it.
 */
export function functionIdentity(fn: Function, options: IdentityOptions = {}): FunctionIdentity {
  const reads: UnkeyedRead[] = []
  const identity = identify(fn, options, { visiting: new Set(), reads })
  const label = `function "${identity.name}"`
  const unkeyed = enforceFreeVariablePolicy(label, reads, options, Object.keys(options.deps ?? {}))
  identity.unkeyedFreeVariables = unkeyed
  identity.freeVariables = reads.filter((r) => r.dep === undefined).map(recordedName)
  return identity
}

interface IdentifyContext {
  visiting: Set<Function>
  /** Collects the reads the key does not cover, across the function and its deps. */
  reads: UnkeyedRead[]
}

/**
 * Names a dep function may read keyed: the deps of the task it is declared in (siblings and
 * itself), besides the pure globals.
 */
type SiblingDeps = ReadonlySet<string>

function identify(
  fn: Function,
  options: IdentityOptions,
  ctx: IdentifyContext,
  asDep?: { name: string; siblings: SiblingDeps },
): FunctionIdentity {
  if (typeof fn !== 'function') throw invalidArgument(`expected a function, got ${typeof fn}`)
  const name = options.name ?? (fn.name || 'anonymous')
  const label = `function "${name}"`
  const source = Function.prototype.toString.call(fn)
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) throw nativeFunctionError(fn, label, name)
  const isClass = /^class[\s{]/.test(source)
  if (isClass && !asDep) {
    throw invalidArgument(`${label} is a class; pass a function that builds or uses it`, { name })
  }
  // A class dep is keyed by its source like a function: analyzed as an arrow that returns it.
  const node = parseFunction(isClass ? `() => (${source})` : source, label)
  if (node.generator) {
    throw invalidArgument(
      `${label} is a generator: its result is an iterator, not a value; return an array instead`,
      {
        name,
      },
    )
  }
  const facts = analyzeFunction(node)
  if (facts.usesThis || facts.usesSuper) {
    throw invalidArgument(
      `${label} uses ${facts.usesThis ? '`this`' : '`super`'}; tasks are called without a receiver. Pass the object as an argument instead`,
      { name },
    )
  }
  const depNames = Object.keys(options.deps ?? {})
  const keyed = asDep ? asDep.siblings : new Set(depNames)
  ctx.reads.push(...unkeyedReads(facts, keyed, asDep?.name))
  ctx.visiting.add(fn)
  const deps: Record<string, Hash> = {}
  try {
    for (const depName of depNames.sort()) {
      const value = options.deps?.[depName]
      // A function that names itself (recursion through its own binding) is keyed by its source.
      if (value === fn) continue
      deps[depName] = depHash(depName, value, ctx, keyed)
    }
  } finally {
    ctx.visiting.delete(fn)
  }
  const normalized = serialize(node)
  const parts = [
    'cairn.fn/v1',
    normalized,
    options.version === undefined ? 'noversion' : `version:${JSON.stringify(options.version)}`,
    JSON.stringify(Object.entries(deps)),
  ]
  const identity: FunctionIdentity = {
    hash: sha256Hex(parts.join('\n')),
    name,
    source,
    normalized,
    deps,
    freeVariables: [],
    unkeyedFreeVariables: [],
  }
  if (options.version !== undefined) identity.version = options.version
  return identity
}

/** A native or bound function has no source; the suggested wrapper must be valid JavaScript. */
function nativeFunctionError(fn: Function, label: string, name: string): CairnError {
  const target = fn.name.replace(/^(bound )+/, '')
  const callee = /^[A-Za-z_$][\w$]*$/.test(target) ? target : 'f'
  return invalidArgument(
    `${label} is native or bound: it has no source to hash. Wrap it in a function of your own, e.g. (x) => ${callee}(x), ` +
      `and declare what that wrapper calls in deps (or, for a native function, name it in allowFreeVariables)`,
    { name },
  )
}

function depHash(name: string, value: unknown, ctx: IdentifyContext, siblings: SiblingDeps): Hash {
  if (typeof value === 'function') {
    const declared = (value as { [FUNCTION_IDENTITY]?: FunctionIdentity })[FUNCTION_IDENTITY]
    if (declared) {
      // A task checked its own reads when it was made; what it was allowed to leave unkeyed is
      // unkeyed here too, and this task must allow it as well.
      for (const inner of declared.unkeyedFreeVariables ?? []) {
        const variable = inner.replace(/^(deps\.[^.]+\.)+/, '').split('.')[0] as string
        ctx.reads.push({ name: inner, variable, dep: name })
      }
      return declared.hash
    }
    if (ctx.visiting.has(value)) {
      throw new CairnError(ErrorCode.InvalidArgument, `dep "${name}" depends on itself through other deps`)
    }
    return identify(value, { name }, ctx, { name, siblings }).hash
  }
  return canonicalHash(value, { rootPath: `deps.${name}` })
}

import { parse } from 'acorn'
import { canonicalHash } from '../canonical/index.js'
import { CairnError, ErrorCode, invalidArgument } from '../errors.js'
import { type Hash, sha256Hex } from '../hash.js'
import { KNOWN_GLOBALS } from './globals.js'
import { analyzeFunction } from './scope.js'

export interface IdentityOptions {
  name?: string
  version?: string
  deps?: Record<string, unknown>
  strict?: boolean
}

export interface FunctionIdentity {
  hash: Hash
  name: string
  source: string
  normalized: string
  version?: string
  deps: Record<string, Hash>
  freeVariables: string[]
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

export function functionIdentity(fn: Function, options: IdentityOptions = {}): FunctionIdentity {
  return identify(fn, options, new Set())
}

function identify(fn: Function, options: IdentityOptions, visiting: Set<Function>): FunctionIdentity {
  if (typeof fn !== 'function') throw invalidArgument(`expected a function, got ${typeof fn}`)
  const name = options.name ?? (fn.name || 'anonymous')
  const label = `function "${name}"`
  const source = Function.prototype.toString.call(fn)
  if (/\{\s*\[native code\]\s*\}\s*$/.test(source)) {
    throw invalidArgument(
      `${label} is native or bound: it has no source to hash. Wrap it in a function of your own, e.g. (x) => ${fn.name || 'f'}(x)`,
      { name },
    )
  }
  if (/^class[\s{]/.test(source)) {
    throw invalidArgument(`${label} is a class; pass a function that builds or uses it`, { name })
  }
  const node = parseFunction(source, label)
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
  const freeVariables = [...facts.free].filter((n) => !KNOWN_GLOBALS.has(n) && !depNames.includes(n)).sort()
  if (options.strict && freeVariables.length > 0) {
    throw invalidArgument(
      `${label} refers to outer variables ${freeVariables.join(', ')} that Cairn cannot see; declare them in deps or pass them as arguments`,
      { name, freeVariables },
    )
  }
  visiting.add(fn)
  const deps: Record<string, Hash> = {}
  try {
    for (const depName of depNames.sort()) deps[depName] = depHash(depName, options.deps?.[depName], visiting)
  } finally {
    visiting.delete(fn)
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
    freeVariables,
  }
  if (options.version !== undefined) identity.version = options.version
  return identity
}

function depHash(name: string, value: unknown, visiting: Set<Function>): Hash {
  if (typeof value === 'function') {
    const declared = (value as { [FUNCTION_IDENTITY]?: FunctionIdentity })[FUNCTION_IDENTITY]
    if (declared) return declared.hash
    if (visiting.has(value)) {
      throw new CairnError(ErrorCode.InvalidArgument, `dep "${name}" depends on itself through other deps`)
    }
    return identify(value, { name }, visiting).hash
  }
  return canonicalHash(value, { rootPath: `deps.${name}` })
}

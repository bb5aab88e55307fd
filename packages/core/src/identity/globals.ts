/**
 * Globals a task may read without declaring them: intrinsics whose results depend only on their
 * arguments. Anything that can answer the same call differently (the clock, randomness, the
 * environment, I/O, timers, shared memory, the garbage collector, code built from strings) is
 * left out, so reading it is refused like any other undeclared free variable. The list and the
 * reasons are in core's README ("Globals a task may read").
 */
export const PURE_GLOBALS: ReadonlySet<string> = new Set([
  'undefined',
  'NaN',
  'Infinity',
  'isFinite',
  'isNaN',
  'parseFloat',
  'parseInt',
  'decodeURI',
  'decodeURIComponent',
  'encodeURI',
  'encodeURIComponent',
  'escape',
  'unescape',
  'Object',
  'Boolean',
  'Symbol',
  'Error',
  'AggregateError',
  'EvalError',
  'RangeError',
  'ReferenceError',
  'SyntaxError',
  'TypeError',
  'URIError',
  'Number',
  'BigInt',
  'Math',
  'String',
  'RegExp',
  'Array',
  'Int8Array',
  'Uint8Array',
  'Uint8ClampedArray',
  'Int16Array',
  'Uint16Array',
  'Int32Array',
  'Uint32Array',
  'Float16Array',
  'Float32Array',
  'Float64Array',
  'BigInt64Array',
  'BigUint64Array',
  'Map',
  'Set',
  'WeakMap',
  'WeakSet',
  'ArrayBuffer',
  'DataView',
  'JSON',
  'Promise',
  'Reflect',
  'Proxy',
  'Iterator',
  'structuredClone',
  'TextEncoder',
  'TextDecoder',
  'URL',
  'URLSearchParams',
  'atob',
  'btoa',
  'Buffer',
  'DOMException',
  // Output only: what it prints never flows back into a result.
  'console',
])

/**
 * Members of pure globals that are not pure themselves. Reading one (or any computed member
 * `X[expr]` of these globals) is refused.
 */
export const IMPURE_MEMBERS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Math', new Set(['random'])],
  // Legacy statics hold the last match made anywhere in the process.
  [
    'RegExp',
    new Set([
      ...['$1', '$2', '$3', '$4', '$5', '$6', '$7', '$8', '$9', 'input', '$_', 'lastMatch', '$&'],
      ...['lastParen', '$+', 'leftContext', '$`', 'rightContext', "$'"],
    ]),
  ],
  // Uninitialized memory, and a mutable pool size.
  ['Buffer', new Set(['allocUnsafe', 'allocUnsafeSlow', 'poolSize'])],
])

/** Marks a computed member read (`X[expr]`) in a free-variable report: its name is unknown. */
export const COMPUTED_MEMBER = '[computed]'

/**
 * True when reading `name` (or `name.member`) is known to be pure. `member` is the static member
 * read, `COMPUTED_MEMBER` for `name[expr]`, or undefined for a bare read.
 */
export function isPureGlobalRead(name: string, member?: string): boolean {
  if (!PURE_GLOBALS.has(name)) return false
  const impure = IMPURE_MEMBERS.get(name)
  if (!impure || member === undefined) return true
  return member !== COMPUTED_MEMBER && !impure.has(member)
}

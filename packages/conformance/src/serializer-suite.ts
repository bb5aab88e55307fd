import { ErrorCode, isCairnError, type Serializer, type SerializerValueKind } from '@cairn/core'
import { bytesEqual, ConformanceError, check, firstDifference } from './assert.js'
import { pseudoRandomBytes } from './fixtures.js'
import { register, type SuiteReport, type SuiteRunner } from './runner.js'

export interface SerializerSuiteOptions {
  name: string
  factory(): Serializer | Promise<Serializer>
  /** Random buffers decoded in the hostile-input test (default 2000). */
  randomInputs?: number
}

type Sample = [label: string, make: () => unknown]

function deepNest(depth: number): unknown {
  let v: unknown = 'bottom'
  for (let i = 0; i < depth; i++) v = i % 2 ? { next: v } : [v]
  return v
}

/** Values by kind; a serializer must round-trip every kind it lists in `capabilities.types`. */
export const VALUE_CATALOGUE: Record<SerializerValueKind, Sample[]> = {
  json: [
    ['null', () => null],
    ['booleans', () => [true, false]],
    [
      'numbers',
      () => [
        0,
        1,
        -1,
        0.1,
        1e-300,
        1.7976931348623157e308,
        Number.MAX_SAFE_INTEGER,
        -Number.MAX_SAFE_INTEGER,
        5e-324,
      ],
    ],
    ['empty string, object, array', () => ['', {}, []]],
    [
      'unicode strings',
      () => [
        'héllo',
        '日本語',
        '🚀 astral',
        'e\u0301 combining',
        '\u0000 nul',
        'quote " and \\ backslash',
        '\u2028\u2029',
      ],
    ],
    ['nested objects and arrays', () => ({ a: [1, { b: [2, [3, { c: 'd' }]] }], e: { f: { g: null } } })],
    ['keys that look dangerous', () => JSON.parse('{"__proto__":{"x":1},"constructor":"c","prototype":[1]}')],
    ['100k numbers', () => Array.from({ length: 100_000 }, (_, i) => i * 1.5)],
    ['100-deep nesting', () => deepNest(100)],
  ],
  undefined: [['undefined in objects and arrays', () => ({ a: undefined, b: [undefined, 1] })]],
  bigint: [['bigints', () => [0n, -1n, 2n ** 64n + 1n, -(2n ** 100n)]]],
  'nan-infinity': [
    ['NaN and infinities', () => [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]],
  ],
  'negative-zero': [['-0', () => [-0, { z: -0 }]]],
  date: [['dates', () => [new Date(0), new Date(1_700_000_000_123), new Date(Number.NaN)]]],
  bytes: [
    ['Uint8Array', () => [new Uint8Array(0), new Uint8Array([0, 1, 255]), pseudoRandomBytes(10_000, 4)]],
  ],
  'typed-arrays': [
    [
      'typed arrays',
      () => [
        new Float64Array([1.5, -0, Number.NaN]),
        new Int32Array([-1, 2]),
        new Uint16Array([65535]),
        new BigInt64Array([-5n]),
      ],
    ],
  ],
  map: [
    [
      'maps',
      () =>
        new Map<unknown, unknown>([
          [1, 'a'],
          ['k', { v: [1] }],
          [true, null],
        ]),
    ],
  ],
  set: [['sets', () => new Set<unknown>([1, 'two', null])]],
  regexp: [['regexps', () => [/a+b/gi, /[\u{1F680}]/u]]],
  error: [['errors', () => [new Error('boom'), new TypeError('type')]]],
  cycles: [
    [
      'a cycle',
      () => {
        const a: Record<string, unknown> = { name: 'a' }
        a.self = a
        return a
      },
    ],
  ],
  'shared-references': [
    [
      'shared references',
      () => {
        const shared = { s: 1 }
        return [shared, shared]
      },
    ],
  ],
  'sparse-arrays': [
    // biome-ignore lint/suspicious/noSparseArray: the hole is the point
    ['sparse arrays', () => [1, , 3]],
  ],
  'class-instances': [],
}

const ALL_KINDS = Object.keys(VALUE_CATALOGUE) as SerializerValueKind[]

function roundTripError(serializer: Serializer, value: unknown): string | undefined {
  const decoded = serializer.decode(serializer.encode(value))
  return firstDifference(decoded, value, '$')
}

/** Registers the Serializer rules: exact round trips, determinism, refusal instead of silent change, hostile input. */
export function serializerSuite(runner: SuiteRunner, options: SerializerSuiteOptions): SuiteReport {
  const report: SuiteReport = { skipped: [] }
  runner.describe(`serializerSuite: ${options.name}`, () => {
    register(runner, report, 'declares an id, a version and capabilities', async () => {
      const s = await options.factory()
      check(typeof s.id === 'string' && s.id.length > 0, 'id must be a non-empty string')
      check(typeof s.version === 'string' && s.version.length > 0, 'version must be a non-empty string')
      check(Array.isArray(s.capabilities?.types), 'capabilities.types must be an array')
      check(s.specVersion === '1.0', 'specVersion')
    })
    register(
      runner,
      report,
      'round-trips every value of the kinds it declares, exactly and deterministically',
      async () => {
        const s = await options.factory()
        for (const kind of s.capabilities.types) {
          for (const [label, make] of VALUE_CATALOGUE[kind] ?? []) {
            const value = make()
            const diff = roundTripError(s, value)
            if (diff) throw new ConformanceError(`${kind} / ${label}: decode(encode(v)) differs: ${diff}`)
            // The same value twice: two freshly made Errors differ in their stacks.
            bytesEqual(
              s.encode(value),
              s.encode(value),
              `${kind} / ${label}: encoding twice gives the same bytes`,
            )
          }
        }
      },
    )
    register(
      runner,
      report,
      'refuses (never silently changes) values of kinds it does not declare',
      async () => {
        const s = await options.factory()
        for (const kind of ALL_KINDS.filter((k) => !s.capabilities.types.includes(k))) {
          for (const [label, make] of VALUE_CATALOGUE[kind]) {
            let diff: string | undefined
            try {
              diff = roundTripError(s, make())
            } catch (error) {
              if (isCairnError(error, ErrorCode.Unserializable)) continue
              throw new ConformanceError(
                `${kind} / ${label}: threw ${String(error)} instead of CAIRN_UNSERIALIZABLE`,
              )
            }
            if (diff) throw new ConformanceError(`${kind} / ${label}: silently changed the value (${diff})`)
          }
        }
        for (const [label, value] of [
          ['a function', () => 1],
          ['a symbol', Symbol('s')],
        ] as const) {
          try {
            s.encode(value)
            throw new ConformanceError(`${label} must be refused`)
          } catch (error) {
            if (error instanceof ConformanceError) throw error
            check(
              isCairnError(error, ErrorCode.Unserializable),
              `${label}: expected CAIRN_UNSERIALIZABLE, got ${String(error)}`,
            )
          }
        }
      },
    )
    register(
      runner,
      report,
      'decodes truncated, random and hostile bytes to a coded error or a value, never pollution',
      async () => {
        const s = await options.factory()
        const inputs: Uint8Array[] = []
        const full = s.encode(
          s.capabilities.types.includes('json') ? { a: [1, 'two', { b: null }], c: 'x'.repeat(50) } : [1],
        )
        for (let cut = 0; cut < full.byteLength; cut++) inputs.push(full.slice(0, cut))
        const count = options.randomInputs ?? 2000
        for (let i = 0; i < count; i++) inputs.push(pseudoRandomBytes(1 + (i % 64), i + 1))
        inputs.push(
          new TextEncoder().encode('{"__proto__":{"polluted":true},"a":{"__proto__":{"polluted":true}}}'),
        )
        inputs.push(new Uint8Array([0xff, 0xfe, 0xfd]))
        for (const bytes of inputs) {
          try {
            s.decode(bytes)
          } catch (error) {
            if (isCairnError(error, ErrorCode.Corrupt) || isCairnError(error, ErrorCode.Unserializable))
              continue
            throw new ConformanceError(
              `decode threw an uncoded error for ${bytes.byteLength} bytes: ${String(error)}`,
            )
          }
        }
        check(({} as Record<string, unknown>).polluted === undefined, 'decoding polluted Object.prototype')
      },
    )
  })
  return report
}

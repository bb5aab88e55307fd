import { ErrorCode, isCairnError, type Serializer } from '@cairn/core'
import { bytesEqual, ConformanceError, check, firstDifference } from './assert.js'
import { register, type SuiteReport, type SuiteRunner } from './runner.js'
import {
  bitFlips,
  type HostileCase,
  oversizedHeaders,
  randomBuffers,
  truncations,
} from './serializer-hostile.js'
import {
  ALL_KINDS,
  EDGE_CATALOGUE,
  protoKeyObject,
  type Sample,
  VALUE_CATALOGUE,
} from './serializer-values.js'

export { EDGE_CATALOGUE, type Sample, VALUE_CATALOGUE } from './serializer-values.js'

export interface SerializerSuiteOptions {
  name: string
  factory(): Serializer | Promise<Serializer>
  /** Random buffers decoded in the hostile-input test (default 2000). */
  randomInputs?: number
  /** Seed of the random and bit-flip cases (default 1); failures name the case, so a run can be repeated. */
  seed?: number
  /** Values this serializer promises beyond its declared kinds (e.g. registered class instances): exact round trips. */
  extraValues?: Sample[]
  /**
   * Bytes nesting containers `depth` deep in this format (a million-deep bomb is built at the byte
   * level, since no value that deep can be encoded). Must be refused with a coded error, in bounded time.
   */
  nestingBomb?(depth: number): Uint8Array
  /** Format-specific hostile bytes (oversized length headers, bad tags …): a value or a coded error. */
  hostileInputs?: [label: string, bytes: Uint8Array][]
  /** Longest one hostile decode may take, in ms (default 2000); a hang is caught by the runner's timeout. */
  maxDecodeMs?: number
}

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
      'round-trips extra values exactly, and edge values exactly or not at all',
      async () => {
        const s = await options.factory()
        for (const [label, make] of options.extraValues ?? []) {
          const value = make()
          const diff = roundTripError(s, value)
          if (diff) throw new ConformanceError(`extra / ${label}: decode(encode(v)) differs: ${diff}`)
          bytesEqual(
            s.encode(value),
            s.encode(value),
            `extra / ${label}: encoding twice gives the same bytes`,
          )
        }
        for (const [label, make] of EDGE_CATALOGUE) {
          let diff: string | undefined
          try {
            diff = roundTripError(s, make())
          } catch (error) {
            if (isCairnError(error, ErrorCode.Unserializable)) continue
            throw new ConformanceError(
              `edge / ${label}: threw ${String(error)} instead of CAIRN_UNSERIALIZABLE`,
            )
          }
          if (diff) throw new ConformanceError(`edge / ${label}: silently changed the value (${diff})`)
        }
      },
    )
    register(runner, report, 'keeps __proto__, constructor and prototype keys as plain data', async () => {
      const s = await options.factory()
      let bytes: Uint8Array
      try {
        bytes = s.encode(protoKeyObject())
      } catch (error) {
        check(isCairnError(error, ErrorCode.Unserializable), `encode threw ${String(error)}`)
        return
      }
      const decoded = s.decode(bytes) as Record<string, unknown>
      check(Object.getPrototypeOf(decoded) === Object.prototype, 'the decoded object has a foreign prototype')
      const own = Object.getOwnPropertyDescriptor(decoded, '__proto__')
      check(
        own !== undefined && firstDifference(own.value, { polluted: true }, '$') === undefined,
        '__proto__ is not an own data key',
      )
      check(
        Object.hasOwn(decoded, 'constructor') && decoded.prototype === 'p',
        'constructor / prototype keys lost',
      )
      check(({} as Record<string, unknown>).polluted === undefined, 'decoding polluted Object.prototype')
    })
    register(
      runner,
      report,
      'decodes truncated, bit-flipped, oversized, random and nesting-bomb bytes to a coded error in bounded time',
      async () => {
        const s = await options.factory()
        const seed = options.seed ?? 1
        const cases: HostileCase[] = []
        for (const kind of s.capabilities.types) {
          for (const [label, make] of VALUE_CATALOGUE[kind] ?? []) {
            const encoded = s.encode(make())
            cases.push(...truncations(`${kind} / ${label}`, encoded, 128))
            cases.push(...bitFlips(`${kind} / ${label}`, encoded, 16, seed))
            cases.push(...oversizedHeaders(`${kind} / ${label}`, encoded))
          }
        }
        cases.push(...randomBuffers(options.randomInputs ?? 2000, seed))
        for (const [label, bytes] of options.hostileInputs ?? [])
          cases.push({ label, bytes, mustRefuse: false })
        if (options.nestingBomb) {
          for (const depth of [10_000, 1_000_000]) {
            cases.push({
              label: `nesting bomb ${depth} deep`,
              bytes: options.nestingBomb(depth),
              mustRefuse: true,
            })
          }
        }
        cases.push(
          {
            label: 'JSON prototype payload',
            bytes: new TextEncoder().encode(
              '{"__proto__":{"polluted":true},"a":{"__proto__":{"polluted":true}}}',
            ),
            mustRefuse: false,
          },
          { label: 'empty input', bytes: new Uint8Array(0), mustRefuse: true },
        )
        const limit = options.maxDecodeMs ?? 2000
        for (const { label, bytes, mustRefuse } of cases) {
          const start = performance.now()
          let refused = false
          try {
            s.decode(bytes)
          } catch (error) {
            if (!(isCairnError(error, ErrorCode.Corrupt) || isCairnError(error, ErrorCode.Unserializable))) {
              throw new ConformanceError(`${label}: decode threw an uncoded error: ${String(error)}`)
            }
            refused = true
          }
          const ms = performance.now() - start
          if (ms > limit)
            throw new ConformanceError(`${label}: decode took ${ms.toFixed(0)} ms (limit ${limit})`)
          if (mustRefuse && !refused)
            throw new ConformanceError(`${label}: decoded to a value instead of a coded error`)
        }
        check(({} as Record<string, unknown>).polluted === undefined, 'decoding polluted Object.prototype')
      },
      undefined,
      600_000,
    )
  })
  return report
}

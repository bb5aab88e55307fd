import { ErrorCode, isCairnError, type Serializer, type SerializerValueKind } from '@cairn/core'
import { ConformanceError, check } from './assert.js'
import { register, type SuiteReport, type SuiteRunner } from './runner.js'
import { checkHostileCase, describeError, prototypeChange, prototypeSnapshot } from './serializer-checks.js'
import { valueDifference } from './serializer-compare.js'
import type { SerializerSuiteOptions } from './serializer-options.js'
import {
  ALL_KINDS,
  COMBINED_CATALOGUE,
  deepNest,
  EDGE_CATALOGUE,
  PROTO_KEY_PAYLOADS,
  REFUSED_CATALOGUE,
  type RefusedSample,
  type Sample,
  VALUE_CATALOGUE,
} from './serializer-values.js'

const TIMEOUT_MS = 300_000

/** Compare with identity when the serializer promises shared references (and so views keep their buffers). */
function keepsIdentity(s: Serializer): boolean {
  return s.capabilities.types.includes('shared-references')
}

function declares(s: Serializer, kinds: SerializerValueKind[]): boolean {
  return kinds.every((k) => s.capabilities.types.includes(k))
}

/** Every catalogue sample the serializer must round-trip: its declared kinds, minus the ones it documents refusing. */
export function declaredSamples(s: Serializer, options: SerializerSuiteOptions): Sample[] {
  const refuses = options.refuses ?? {}
  const samples: Sample[] = []
  for (const kind of s.capabilities.types) {
    for (const [label, make] of VALUE_CATALOGUE[kind] ?? []) samples.push([`${kind} / ${label}`, make])
  }
  for (const [kinds, [label, make]] of COMBINED_CATALOGUE) {
    if (declares(s, kinds)) samples.push([`${kinds.join('+')} / ${label}`, make])
  }
  return samples.filter(([label]) => !Object.hasOwn(refuses, label.slice(label.indexOf(' / ') + 3)))
}

/** Samples the serializer may refuse but must never change: undeclared kinds, partial combinations, edges. */
function optionalSamples(s: Serializer, options: SerializerSuiteOptions): Sample[] {
  const refuses = options.refuses ?? {}
  const samples: Sample[] = []
  for (const kind of ALL_KINDS.filter((k) => !s.capabilities.types.includes(k))) {
    for (const [label, make] of VALUE_CATALOGUE[kind]) samples.push([`${kind} / ${label}`, make])
  }
  for (const [kinds, [label, make]] of COMBINED_CATALOGUE) {
    if (!declares(s, kinds)) samples.push([`${kinds.join('+')} / ${label}`, make])
  }
  for (const [label, make] of EDGE_CATALOGUE) samples.push([`edge / ${label}`, make])
  return samples.filter(([label]) => !Object.hasOwn(refuses, label.slice(label.indexOf(' / ') + 3)))
}

/** Catalogue samples by their bare label (the names `refuses` uses). */
function sampleByLabel(label: string): Sample | undefined {
  const all: Sample[] = [
    ...Object.values(VALUE_CATALOGUE).flat(),
    ...COMBINED_CATALOGUE.map(([, sample]) => sample),
    ...EDGE_CATALOGUE,
  ]
  return all.find(([l]) => l === label)
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

function encodeExact(s: Serializer, label: string, value: unknown): Uint8Array {
  let bytes: Uint8Array
  try {
    bytes = s.encode(value)
  } catch (error) {
    throw new ConformanceError(`${label}: encode refused a value it promises (${describeError(error)})`)
  }
  if (!(bytes instanceof Uint8Array))
    throw new ConformanceError(`${label}: encode did not return a Uint8Array`)
  return bytes
}

function decodeExact(s: Serializer, label: string, bytes: Uint8Array, value: unknown, where = ''): void {
  let decoded: unknown
  try {
    decoded = s.decode(bytes)
  } catch (error) {
    throw new ConformanceError(`${label}: decoding its own encoding${where} threw ${describeError(error)}`)
  }
  const diff = valueDifference(decoded, value, { identity: keepsIdentity(s) })
  if (diff) throw new ConformanceError(`${label}: decode(encode(v))${where} differs: ${diff}`)
}

/** Exact round trip, same bytes twice, and bytes that stay the caller's once later values are encoded. */
function checkExactSamples(s: Serializer, samples: Sample[]): void {
  let previous: { label: string; bytes: Uint8Array; copy: Uint8Array } | undefined
  for (const [label, make] of samples) {
    const value = make()
    const bytes = encodeExact(s, label, value)
    if (previous && !sameBytes(previous.bytes, previous.copy)) {
      throw new ConformanceError(
        `${previous.label}: its encoding changed when ${label} was encoded (encode must return bytes the caller owns)`,
      )
    }
    previous = { label, bytes, copy: bytes.slice() }
    decodeExact(s, label, bytes, value)
    if (!sameBytes(s.encode(value), bytes)) {
      throw new ConformanceError(`${label}: encoding the same value twice gave different bytes`)
    }
  }
}

const NodeBuffer = (globalThis as { Buffer?: { from(bytes: Uint8Array): Uint8Array } }).Buffer

export function registerValueTests(
  runner: SuiteRunner,
  report: SuiteReport,
  options: SerializerSuiteOptions,
): void {
  register(runner, report, 'declares an id, a version and capabilities', async () => {
    const s = await options.factory()
    check(typeof s.id === 'string' && s.id.length > 0, 'id must be a non-empty string')
    check(typeof s.version === 'string' && s.version.length > 0, 'version must be a non-empty string')
    check(Array.isArray(s.capabilities?.types), 'capabilities.types must be an array')
    check(typeof s.capabilities.safeForUntrustedInput === 'boolean', 'capabilities.safeForUntrustedInput')
    for (const kind of s.capabilities.types) check(ALL_KINDS.includes(kind), `unknown kind ${String(kind)}`)
    check(s.specVersion === '1.0', 'specVersion')
    for (const label of Object.keys(options.refuses ?? {})) {
      check(sampleByLabel(label) !== undefined, `options.refuses names no catalogue sample: ${label}`)
    }
  })
  register(
    runner,
    report,
    'round-trips every sample of the kinds it declares, exactly and deterministically, into bytes the caller owns',
    async () => {
      const s = await options.factory()
      checkExactSamples(s, declaredSamples(s, options))
    },
    undefined,
    TIMEOUT_MS,
  )
  register(
    runner,
    report,
    'round-trips the values it promises beyond its kinds (extraValues), exactly and deterministically',
    async () => {
      const s = await options.factory()
      checkExactSamples(
        s,
        (options.extraValues ?? []).map(([label, make]): Sample => [`extra / ${label}`, make]),
      )
    },
    options.extraValues?.length ? undefined : 'no extraValues given',
  )
  register(
    runner,
    report,
    'decodes its encodings wherever they sit: at an offset inside a larger buffer, in a Node.js Buffer',
    async () => {
      const s = await options.factory()
      for (const [label, make] of [
        ...declaredSamples(s, options),
        ...(options.extraValues ?? []).map(([l, m]): Sample => [`extra / ${l}`, m]),
      ]) {
        const value = make()
        const bytes = encodeExact(s, label, value)
        if (bytes.byteLength > 1024 * 1024) continue
        // Garbage on both sides: a decoder reading `bytes.buffer` from 0, or to its end, sees it.
        const host = new Uint8Array(bytes.byteLength + 13).fill(0xa5)
        host.set(bytes, 5)
        decodeExact(
          s,
          label,
          host.subarray(5, 5 + bytes.byteLength),
          value,
          ' at offset 5 of a larger buffer',
        )
        if (NodeBuffer) decodeExact(s, label, NodeBuffer.from(bytes), value, ' from a Node.js Buffer')
      }
    },
    undefined,
    TIMEOUT_MS,
  )
  register(
    runner,
    report,
    'gives back undeclared kinds and edge values exactly, or refuses them with CAIRN_UNSERIALIZABLE (never changes them)',
    async () => {
      const s = await options.factory()
      for (const [label, make] of optionalSamples(s, options)) {
        const value = make()
        let bytes: Uint8Array
        try {
          bytes = s.encode(value)
        } catch (error) {
          if (isCairnError(error, ErrorCode.Unserializable)) continue
          throw new ConformanceError(
            `${label}: threw ${describeError(error)} instead of CAIRN_UNSERIALIZABLE`,
          )
        }
        let decoded: unknown
        try {
          decoded = s.decode(bytes)
        } catch (error) {
          throw new ConformanceError(`${label}: encode accepted it but decode threw ${describeError(error)}`)
        }
        const diff = valueDifference(decoded, value, { identity: keepsIdentity(s) })
        if (diff) throw new ConformanceError(`${label}: silently changed the value (${diff})`)
      }
    },
    undefined,
    TIMEOUT_MS,
  )
  register(
    runner,
    report,
    'refuses what it cannot give back (functions, symbols, unknown classes, throwing getters …) with CAIRN_UNSERIALIZABLE naming the path',
    async () => {
      const s = await options.factory()
      const refused: RefusedSample[] = [
        ...REFUSED_CATALOGUE,
        ...(options.refusedValues ?? []).map(([label, make]): RefusedSample => [`promised: ${label}`, make]),
        ...Object.entries(options.refuses ?? {}).map(([label, why]): RefusedSample => {
          const sample = sampleByLabel(label)
          if (!sample) throw new ConformanceError(`options.refuses names no catalogue sample: ${label}`)
          return [`${label} (${why})`, sample[1]]
        }),
      ]
      for (const [label, make, pathKey] of refused) {
        let error: unknown
        try {
          s.encode(make())
        } catch (e) {
          error = e
        }
        if (error === undefined) throw new ConformanceError(`${label}: encoded instead of refused`)
        if (!isCairnError(error, ErrorCode.Unserializable)) {
          throw new ConformanceError(
            `${label}: threw ${describeError(error)} instead of CAIRN_UNSERIALIZABLE`,
          )
        }
        const path = `${error.message} ${String((error.details as { path?: unknown } | undefined)?.path ?? '')}`
        if (pathKey && !path.includes(pathKey)) {
          throw new ConformanceError(
            `${label}: the refusal does not name the path (no "${pathKey}" in "${path}")`,
          )
        }
      }
    },
  )
  register(
    runner,
    report,
    'honours its documented maxDepth: that deep round-trips (and decodes), one level more is refused',
    async () => {
      const s = await options.factory()
      const max = options.maxDepth as number
      if (s.capabilities.types.includes('json')) {
        decodeExact(
          s,
          `${max}-deep nesting`,
          encodeExact(s, `${max}-deep nesting`, deepNest(max)),
          deepNest(max),
        )
        let error: unknown
        try {
          s.encode(deepNest(max + 1))
        } catch (e) {
          error = e
        }
        check(
          isCairnError(error, ErrorCode.Unserializable),
          `${max + 1}-deep nesting: expected CAIRN_UNSERIALIZABLE, got ${error === undefined ? 'an encoding' : describeError(error)}`,
        )
      }
      if (options.nestingBomb) {
        try {
          s.decode(options.nestingBomb(max))
        } catch (error) {
          throw new ConformanceError(`nestingBomb(${max}) was refused (${describeError(error)})`)
        }
        const run = {
          serializer: s,
          maxDecodeMs: options.maxDecodeMs ?? 2000,
          seedNote: '',
          snapshot: prototypeSnapshot(),
        }
        checkHostileCase(run, {
          label: `nestingBomb(${max + 1})`,
          bytes: options.nestingBomb(max + 1),
          expect: 'refuse',
        })
      }
    },
    options.maxDepth === undefined ? 'no maxDepth given' : undefined,
  )
  register(runner, report, 'keeps __proto__, constructor and prototype keys as plain own data', async () => {
    const s = await options.factory()
    const snapshot = prototypeSnapshot()
    for (const [label, make] of PROTO_KEY_PAYLOADS) {
      const value = make()
      let bytes: Uint8Array
      try {
        bytes = s.encode(value)
      } catch (error) {
        check(isCairnError(error, ErrorCode.Unserializable), `${label}: encode threw ${describeError(error)}`)
        continue
      }
      const decoded = s.decode(bytes)
      const change = prototypeChange(snapshot)
      if (change) throw new ConformanceError(`${label}: decoding polluted a prototype: ${change}`)
      const diff = valueDifference(decoded, value, { identity: false })
      if (diff) throw new ConformanceError(`${label}: not kept as own data: ${diff}`)
    }
  })
}

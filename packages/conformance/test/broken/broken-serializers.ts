import v8 from 'node:v8'
import {
  CairnError,
  ErrorCode,
  invalidArgument,
  isCairnError,
  JSON_MAX_DEPTH,
  jsonSerializer,
  type Serializer,
  type SerializerValueKind,
  unserializable,
} from '@cairn/core'
import type { SerializerSuiteOptions } from '../../src/index.js'

const text = new TextEncoder()
const parse = (bytes: Uint8Array): unknown => jsonSerializer.decode(bytes)
const jsonBomb = (depth: number): Uint8Array => text.encode(`${'['.repeat(depth)}${']'.repeat(depth)}`)

/**
 * Node's structured clone as a Serializer: it keeps cycles, shared objects, Maps, typed arrays and
 * errors, so it can claim the rich kinds — and shows what the suite finds in a real, subtly lossy format.
 */
function v8Serializer(types: SerializerValueKind[]): Serializer {
  return {
    specVersion: '1.0',
    id: 'v8',
    version: '1',
    capabilities: { types, safeForUntrustedInput: false },
    encode(value) {
      try {
        return new Uint8Array(v8.serialize(value))
      } catch (cause) {
        throw new CairnError(ErrorCode.Unserializable, `$: ${String(cause)}`, { cause })
      }
    },
    decode(bytes) {
      if (!(bytes instanceof Uint8Array)) throw invalidArgument('decode needs a Uint8Array')
      try {
        return v8.deserialize(bytes)
      } catch (cause) {
        throw new CairnError(ErrorCode.Corrupt, 'not a v8 serialization', { cause })
      }
    },
  }
}

/** Closes what a cut left open (a string, then brackets): a "lenient" decoder that turns a prefix into a value. */
function repairTruncated(bytes: Uint8Array): Uint8Array {
  const source = new TextDecoder().decode(bytes)
  const open: string[] = []
  let inString = false
  for (let i = 0; i < source.length; i++) {
    const c = source[i]
    if (inString) {
      if (c === '\\') i++
      else if (c === '"') inString = false
    } else if (c === '"') inString = true
    else if (c === '[' || c === '{') open.push(c === '[' ? ']' : '}')
    else if (c === ']' || c === '}') open.pop()
  }
  const tail = `${inString ? '"' : ''}${open.reverse().join('')}`
  return text.encode(source.replace(/[,:]$/, '') + tail)
}

/** One output buffer for every call, as fast encoders do: a later encode overwrites an earlier result. */
let scratch = new Uint8Array(1 << 16)
function encodeIntoScratch(value: unknown): Uint8Array {
  const bytes = jsonSerializer.encode(value)
  if (bytes.byteLength > scratch.byteLength) scratch = new Uint8Array(bytes.byteLength * 2)
  scratch.set(bytes)
  return scratch.subarray(0, bytes.byteLength)
}

/** Hands out one object for equal JSON objects (a "deduplicating" decoder). */
function intern(value: unknown, seen = new Map<string, unknown>()): unknown {
  if (value === null || typeof value !== 'object') return value
  const key = JSON.stringify(value)
  if (seen.has(key)) return seen.get(key)
  const out = Array.isArray(value)
    ? value.map((v) => intern(v, seen))
    : Object.fromEntries(Object.entries(value).map(([k, v]) => [k, intern(v, seen)]))
  seen.set(key, out)
  return out
}

export interface BrokenSerializer {
  breaks: string
  serializer: Serializer
  options?: Partial<SerializerSuiteOptions>
  /** The suite test that must fail (a substring of its name), and what its message must say. */
  test: string
  message: RegExp
}

const json = (changes: Partial<Serializer>): Serializer => ({ ...jsonSerializer, ...changes })

export const brokenSerializers: BrokenSerializer[] = [
  {
    breaks: 'turns a Map into {} (JSON.stringify without checks)',
    serializer: json({ encode: (value) => text.encode(JSON.stringify(value) ?? 'null') }),
    test: 'gives back undeclared kinds and edge values exactly',
    message: /silently changed/,
  },
  {
    breaks: 'merges decoded objects with plain assignment (prototype pollution)',
    serializer: json({
      decode: (bytes) => {
        const merge = (target: Record<string, any>, source: Record<string, any>) => {
          for (const key in source) {
            if (source[key] && typeof source[key] === 'object') {
              target[key] ??= {}
              merge(target[key], source[key])
            } else target[key] = source[key]
          }
          return target
        }
        const value = parse(bytes)
        return value && typeof value === 'object' && !Array.isArray(value) ? merge({}, value) : value
      },
    }),
    test: 'keeps __proto__, constructor and prototype keys',
    message: /polluted a prototype: Object\.prototype gained the key polluted/,
  },
  {
    breaks: 'answers garbage with null instead of an error',
    serializer: json({
      decode: (bytes) => {
        try {
          return parse(bytes)
        } catch {
          return null
        }
      },
    }),
    test: 'refuses every truncation',
    message: /decoded a truncated encoding to a value/,
  },
  {
    breaks: 'answers garbage with undefined, which it cannot encode',
    serializer: json({
      decode: (bytes) => {
        try {
          return parse(bytes)
        } catch {
          return undefined
        }
      },
    }),
    test: 'survives seeded random bytes',
    message: /random buffer \d+ \(seed \d+\): decoded to a value its own encode refuses/,
  },
  {
    breaks: 'refuses malformed bytes with CAIRN_UNSERIALIZABLE instead of CAIRN_CORRUPT',
    serializer: json({
      decode: (bytes) => {
        try {
          return parse(bytes)
        } catch (error) {
          if (!isCairnError(error, ErrorCode.Corrupt)) throw error
          throw new CairnError(ErrorCode.Unserializable, error.message, { cause: error })
        }
      },
    }),
    test: 'refuses every truncation',
    message: /cut to \d+ of \d+ bytes: malformed bytes refused with CAIRN_UNSERIALIZABLE/,
  },
  {
    breaks: 'refuses random bytes that start like an extension with CAIRN_UNSERIALIZABLE',
    serializer: json({
      decode: (bytes) => {
        // As msgpack's decoder did: bytes it never writes, read as an unsupported kind, not as corrupt.
        if (bytes[0] !== undefined && bytes[0] >= 0x80) {
          throw new CairnError(ErrorCode.Unserializable, `kind 0x${bytes[0].toString(16)} is not supported`)
        }
        return parse(bytes)
      },
    }),
    test: 'survives seeded random bytes',
    message: /random buffer \d+ \(seed \d+\): malformed bytes refused with CAIRN_UNSERIALIZABLE/,
  },
  {
    breaks: 'repairs truncated input by closing what is open',
    serializer: json({
      decode: (bytes) => {
        try {
          return parse(bytes)
        } catch (error) {
          if (bytes.byteLength === 0) throw error
          return parse(repairTruncated(bytes))
        }
      },
    }),
    test: 'refuses every truncation',
    message: /cut to \d+ of \d+ bytes: decoded a truncated encoding to a value/,
  },
  {
    breaks: 'throws a bare RangeError on deep nesting',
    serializer: json({
      decode: (bytes) => {
        if (bytes.byteLength > 10_000 && bytes[0] === 0x5b)
          throw new RangeError('Maximum call stack size exceeded')
        return parse(bytes)
      },
    }),
    options: { nestingBomb: jsonBomb },
    test: 'refuses nesting bombs',
    message: /decode threw an uncoded error \(RangeError/,
  },
  {
    breaks: 'spins on a nesting bomb',
    serializer: json({
      decode: (bytes) => {
        if (bytes.byteLength > 10_000 && bytes[0] === 0x5b) {
          const until = performance.now() + 120
          while (performance.now() < until) {
            // busy: a decoder that does unbounded work
          }
        }
        return parse(bytes)
      },
    }),
    options: { nestingBomb: jsonBomb, maxDecodeMs: 100 },
    test: 'refuses nesting bombs',
    message: /decode took \d+ ms \(limit 100 ms\)/,
  },
  {
    breaks: 'checks depth on decode but not on encode',
    serializer: json({
      encode: (value) => {
        try {
          return jsonSerializer.encode(value)
        } catch (error) {
          if (String(error).includes('nesting deeper')) return text.encode(JSON.stringify(value))
          throw error
        }
      },
    }),
    options: { maxDepth: JSON_MAX_DEPTH, nestingBomb: jsonBomb },
    test: 'honours its documented maxDepth',
    message: /1001-deep nesting: expected CAIRN_UNSERIALIZABLE, got an encoding/,
  },
  {
    breaks: 'claims shared references but copies them',
    serializer: json({ capabilities: { types: ['json', 'shared-references'], safeForUntrustedInput: true } }),
    test: 'round-trips every sample of the kinds it declares',
    message: /an object shared twice: .*identity lost/,
  },
  {
    breaks: 'interns equal objects on decode',
    serializer: json({ decode: (bytes) => intern(parse(bytes)) }),
    test: 'round-trips every sample of the kinds it declares',
    message: /equal but distinct objects and arrays: .*identity merged/,
  },
  {
    breaks: 'claims typed arrays and shared references, but gives views over the input buffer (v8)',
    serializer: v8Serializer(['typed-arrays', 'shared-references']),
    test: 'round-trips every sample of the kinds it declares',
    message: /typed-arrays \/ every typed array class: .*\$\[0\]: byte offset 0 came back as \d+/,
  },
  {
    breaks: 'claims errors but gives an AggregateError back as a plain Error (v8)',
    serializer: v8Serializer(['error']),
    test: 'round-trips every sample of the kinds it declares',
    message: /every built-in error class: .*\$\[6\]: prototype AggregateError came back as Error/,
  },
  {
    breaks: 'claims errors but drops their stacks',
    serializer: {
      ...v8Serializer(['error']),
      decode: (bytes) => {
        const value = v8.deserialize(bytes)
        for (const e of [value].flat()) if (e instanceof Error) delete e.stack
        return value
      },
    },
    test: 'round-trips every sample of the kinds it declares',
    message: /error \/ plain errors: .*\$\[0\]: own keys \[stack,message\] came back as \[message\]/,
  },
  {
    breaks: 'encodes the same value differently on each call',
    serializer: (() => {
      let calls = 0
      return json({
        encode: (value) =>
          text.encode(`${calls++ % 2 ? ' ' : ''}${new TextDecoder().decode(jsonSerializer.encode(value))}`),
      })
    })(),
    test: 'round-trips every sample of the kinds it declares',
    message: /encoding the same value twice gave different bytes/,
  },
  {
    breaks: 'returns a view into one reused output buffer',
    serializer: json({ encode: encodeIntoScratch }),
    test: 'round-trips every sample of the kinds it declares',
    message: /its encoding changed when .* was encoded/,
  },
  {
    breaks: 'decodes the whole underlying buffer, ignoring byteOffset',
    serializer: json({ decode: (bytes) => parse(new Uint8Array(bytes.buffer)) }),
    test: 'decodes its encodings wherever they sit',
    message: /at offset 5 of a larger buffer threw CAIRN_CORRUPT/,
  },
  {
    breaks: 'refuses without naming the path',
    serializer: json({
      encode: (value) => {
        try {
          return jsonSerializer.encode(value)
        } catch {
          throw unserializable('cannot encode this value')
        }
      },
    }),
    test: 'refuses what it cannot give back',
    message: /does not name the path/,
  },
  {
    breaks: 'throws whatever a getter throws while encoding',
    serializer: json({
      encode: (value) => {
        if (value && typeof value === 'object') for (const k of Object.keys(value)) void (value as any)[k]
        return jsonSerializer.encode(value)
      },
    }),
    test: 'refuses what it cannot give back',
    message: /a getter that throws: threw Error: getter ran instead of CAIRN_UNSERIALIZABLE/,
  },
  {
    breaks: 'takes a string as JSON text',
    serializer: json({
      decode: (bytes) => parse(typeof bytes === 'string' ? text.encode(bytes) : bytes),
    }),
    test: 'refuses input that is not a Uint8Array',
    message: /decode\(a string\): expected CAIRN_INVALID_ARGUMENT, got a value/,
  },
]

import { ErrorCode, isCairnError, type Serializer } from '@cairn/core'
import { ConformanceError } from './assert.js'
import { register, type SuiteReport, type SuiteRunner } from './runner.js'
import { checkHostileCase, describeError, type HostileRun, prototypeSnapshot } from './serializer-checks.js'
import {
  bitFlips,
  type HostileCase,
  oversizedHeaders,
  randomBuffers,
  randomTails,
  truncations,
} from './serializer-hostile.js'
import type { SerializerSuiteOptions } from './serializer-options.js'
import {
  ALL_KINDS,
  COMBINED_CATALOGUE,
  EDGE_CATALOGUE,
  PROTO_KEY_PAYLOADS,
  type Sample,
  VALUE_CATALOGUE,
} from './serializer-values.js'

const TIMEOUT_MS = 600_000
/** Encodings larger than this get fewer truncations and bit flips (each decode of them costs more). */
const LARGE = 256 * 1024

/** The serializer's own encodings of every sample it accepts: what truncations and bit flips start from. */
function ownEncodings(s: Serializer, options: SerializerSuiteOptions): [label: string, bytes: Uint8Array][] {
  const samples: Sample[] = [
    ...ALL_KINDS.flatMap((kind) => VALUE_CATALOGUE[kind].map(([l, m]): Sample => [`${kind} / ${l}`, m])),
    ...COMBINED_CATALOGUE.map(([kinds, [l, m]]): Sample => [`${kinds.join('+')} / ${l}`, m]),
    ...EDGE_CATALOGUE.map(([l, m]): Sample => [`edge / ${l}`, m]),
    ...PROTO_KEY_PAYLOADS.map(([l, m]): Sample => [`proto keys / ${l}`, m]),
    ...(options.extraValues ?? []).map(([l, m]): Sample => [`extra / ${l}`, m]),
  ]
  const out: [string, Uint8Array][] = []
  for (const [label, make] of samples) {
    try {
      out.push([`the encoding of ${label}`, s.encode(make())])
    } catch {
      // refused: nothing to corrupt (whether it should have been refused is the value tests' business)
    }
  }
  return out
}

function runCases(
  s: Serializer,
  options: SerializerSuiteOptions,
  cases: HostileCase[],
  seeded: boolean,
): void {
  const seed = options.seed ?? 1
  const run: HostileRun = {
    serializer: s,
    maxDecodeMs: options.maxDecodeMs ?? 2000,
    seedNote: seeded ? ` [suite seed ${seed}]` : '',
    snapshot: prototypeSnapshot(),
  }
  for (const c of cases) checkHostileCase(run, c)
}

export function registerHostileTests(
  runner: SuiteRunner,
  report: SuiteReport,
  options: SerializerSuiteOptions,
): void {
  const seed = options.seed ?? 1
  register(
    runner,
    report,
    'refuses every truncation of its own encodings with CAIRN_CORRUPT, in bounded time',
    async () => {
      const s = await options.factory()
      const cases = ownEncodings(s, options).flatMap(([label, bytes]) =>
        truncations(label, bytes, 512, bytes.byteLength > LARGE ? 16 : 64),
      )
      runCases(s, options, cases, false)
    },
    undefined,
    TIMEOUT_MS,
  )
  register(
    runner,
    report,
    'survives bit flips and oversized length headers in its own encodings: a value or a coded error, in bounded time',
    async () => {
      const s = await options.factory()
      const cases = ownEncodings(s, options).flatMap(([label, bytes], i) => [
        ...bitFlips(label, bytes, bytes.byteLength > LARGE ? 4 : 16, seed + i),
        ...oversizedHeaders(label, bytes),
      ])
      runCases(s, options, cases, true)
    },
    undefined,
    TIMEOUT_MS,
  )
  register(
    runner,
    report,
    `survives seeded random bytes (refused: CAIRN_CORRUPT) and random tails after valid starts (seed ${seed})`,
    async () => {
      const s = await options.factory()
      const total = options.randomInputs ?? 2000
      const starts = ownEncodings(s, options)
        .map(([, bytes]) => bytes)
        .filter((bytes) => bytes.byteLength <= 4096)
      const cases = [
        ...randomBuffers(Math.ceil(total / 2), seed),
        ...randomTails(Math.floor(total / 2), seed, starts),
      ]
      runCases(s, options, cases, true)
    },
    undefined,
    TIMEOUT_MS,
  )
  register(
    runner,
    report,
    'refuses nesting bombs (10 000 and 1 000 000 deep, and one cut in half) with a coded error, in bounded time',
    async () => {
      const s = await options.factory()
      const bomb = options.nestingBomb as (depth: number) => Uint8Array
      const million = bomb(1_000_000)
      // A decoder allowed deeper than 10 000 may decode that bomb; none may decode a million levels.
      const tenThousand = (options.maxDepth ?? 0) >= 10_000 ? 'any' : 'refuse'
      runCases(
        s,
        options,
        [
          { label: 'a nesting bomb 10 000 deep', bytes: bomb(10_000), expect: tenThousand },
          { label: 'a nesting bomb 1 000 000 deep', bytes: million, expect: 'refuse' },
          {
            label: 'a nesting bomb 1 000 000 deep, cut in half',
            bytes: million.slice(0, million.byteLength >> 1),
            expect: 'refuse',
          },
        ],
        false,
      )
    },
    options.nestingBomb ? undefined : 'no nestingBomb given',
    TIMEOUT_MS,
  )
  register(
    runner,
    report,
    'handles hostile inputs (the adapter’s own, empty input, a JSON prototype payload, long runs of one byte) in bounded time',
    async () => {
      const s = await options.factory()
      const text = new TextEncoder()
      const cases: HostileCase[] = [
        ...(options.hostileInputs ?? []).map(
          ([label, bytes]): HostileCase => ({ label, bytes, expect: 'any' }),
        ),
        ...(options.refusedInputs ?? []).map(
          ([label, bytes]): HostileCase => ({ label, bytes, expect: 'refuse' }),
        ),
        { label: 'empty input', bytes: new Uint8Array(0), expect: 'refuse' },
        {
          label: 'a JSON prototype payload',
          bytes: text.encode(
            '{"__proto__":{"polluted":true},"a":{"constructor":{"prototype":{"polluted":true}}}}',
          ),
          expect: 'any',
        },
        { label: '1 MiB of 0xff', bytes: new Uint8Array(1 << 20).fill(0xff), expect: 'any' },
        { label: '1 MiB of 0x00', bytes: new Uint8Array(1 << 20), expect: 'any' },
      ]
      runCases(s, options, cases, false)
    },
    undefined,
    TIMEOUT_MS,
  )
  register(runner, report, 'refuses input that is not a Uint8Array with CAIRN_INVALID_ARGUMENT', async () => {
    const s = await options.factory()
    const inputs: [string, unknown][] = [
      ['a string', 'null'],
      ['null', null],
      ['undefined', undefined],
      ['an ArrayBuffer', new ArrayBuffer(4)],
      ['an array of byte values', [0xc0]],
      ['a Uint16Array', new Uint16Array(2)],
      ['a DataView', new DataView(new ArrayBuffer(4))],
    ]
    for (const [label, input] of inputs) {
      let error: unknown
      try {
        s.decode(input as Uint8Array)
      } catch (e) {
        error = e
      }
      if (!isCairnError(error, ErrorCode.InvalidArgument)) {
        throw new ConformanceError(
          `decode(${label}): expected CAIRN_INVALID_ARGUMENT, got ${error === undefined ? 'a value' : describeError(error)}`,
        )
      }
    }
  })
}

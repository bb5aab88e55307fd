/**
 * Serializers against the codecs they are measured by, in the same run, interleaved round by round:
 * @cairn/msgpack vs msgpackr (plain msgpack: no records, no extensions), @cairn/structured vs
 * v8.serialize and devalue, jsonSerializer vs JSON.stringify/parse. Encode and decode throughput on
 * small records, a large typed array (8 MB) and an object graph.
 */
import { deserialize, serialize } from 'node:v8'
import { jsonSerializer } from '@cairn/core'
import { msgpackSerializer } from '@cairn/msgpack'
import { structuredSerializer } from '@cairn/structured'
import * as devalue from 'devalue'
import { isNativeAccelerationEnabled, Packr } from 'msgpackr'
import { median, type Sample } from './measure.js'
import { report } from './report.js'
import { jsonSize, objectGraph, smallRecords, treeGraph } from './serializers/datasets.js'

const quick = process.argv.includes('--quick')
const rounds = quick ? 3 : 7
const log = (message: string) => process.stderr.write(`bench serializers: ${message}\n`)
const msgpackr = new Packr({ useRecords: false, moreTypes: false, structuredClone: false })
const utf8 = new TextEncoder()
const fromUtf8 = new TextDecoder()

interface Codec {
  name: string
  encode(value: unknown): unknown
  decode(encoded: any): unknown
}
const codecs: Record<string, Codec> = {
  '@cairn/msgpack': {
    name: '@cairn/msgpack',
    encode: (v) => msgpackSerializer.encode(v),
    decode: (b) => msgpackSerializer.decode(b),
  },
  msgpackr: { name: 'msgpackr', encode: (v) => msgpackr.pack(v), decode: (b) => msgpackr.unpack(b) },
  // msgpackr hands out views into one reused buffer; @cairn/msgpack returns bytes the caller owns.
  'msgpackr + owned copy': {
    name: 'msgpackr + owned copy',
    encode: (v) => new Uint8Array(msgpackr.pack(v)),
    decode: (b) => msgpackr.unpack(b),
  },
  '@cairn/structured': {
    name: '@cairn/structured',
    encode: (v) => structuredSerializer.encode(v),
    decode: (b) => structuredSerializer.decode(b),
  },
  'v8.serialize': { name: 'v8.serialize', encode: (v) => serialize(v), decode: (b) => deserialize(b) },
  devalue: {
    name: 'devalue',
    encode: (v) => utf8.encode(devalue.stringify(v)),
    decode: (b) => devalue.parse(fromUtf8.decode(b)),
  },
  jsonSerializer: {
    name: 'jsonSerializer',
    encode: (v) => jsonSerializer.encode(v),
    decode: (b) => jsonSerializer.decode(b),
  },
  JSON: {
    name: 'JSON',
    encode: (v) => utf8.encode(JSON.stringify(v)),
    decode: (b) => JSON.parse(fromUtf8.decode(b)),
  },
}

/** Microseconds per call of `op` over `values`, one figure per round. */
function perValue(values: unknown[], op: (value: unknown) => unknown, minMs: number): number {
  let calls = 0
  const start = performance.now()
  do {
    for (const value of values) op(value)
    calls += values.length
  } while (performance.now() - start < minMs)
  return ((performance.now() - start) * 1000) / calls
}

interface Comparison {
  dataset: string
  values: unknown[]
  /** Bytes the values amount to (JSON size, or raw bytes for binary data): the MB in MB/s. */
  size: number
  /** [ours, baseline, target ratio or undefined] */
  pairs: [string, string, string?][]
}

const records = smallRecords(quick ? 200 : 1000)
const floats = new Float64Array(1_000_000).map((_, i) => Math.sin(i))
const floatBytes = new Uint8Array(floats.buffer)
// Encoders walk depth first: a graph whose walk nests deeper than maxDepth (2000) is refused, so it stays at 1000 nodes.
const graphNodes = quick ? 500 : 1000
const comparisons: Comparison[] = [
  {
    dataset: 'small records, one at a time',
    values: records,
    size: jsonSize(records),
    pairs: [
      ['@cairn/msgpack', 'msgpackr', 'within 5%'],
      ['@cairn/msgpack', 'msgpackr + owned copy'],
      ['@cairn/structured', 'v8.serialize', '≤ 2×'],
      ['@cairn/structured', 'devalue', 'faster'],
      ['jsonSerializer', 'JSON'],
    ],
  },
  {
    dataset: '1000 small records as one array',
    values: [records],
    size: jsonSize(records),
    pairs: [
      ['@cairn/msgpack', 'msgpackr', 'within 5%'],
      ['@cairn/structured', 'v8.serialize', '≤ 2×'],
      ['@cairn/structured', 'devalue', 'faster'],
      ['jsonSerializer', 'JSON'],
    ],
  },
  {
    dataset: '8 MB of float64 as bytes (msgpack bin)',
    values: [floatBytes],
    size: floatBytes.byteLength,
    pairs: [['@cairn/msgpack', 'msgpackr', 'within 5%']],
  },
  {
    dataset: 'Float64Array of 1M (8 MB)',
    values: [floats],
    size: floatBytes.byteLength,
    pairs: [
      ['@cairn/structured', 'v8.serialize', '≤ 2×'],
      ['@cairn/structured', 'devalue', 'faster'],
    ],
  },
  {
    dataset: `object graph, ${graphNodes} nodes (shared refs, cycle, Map, Date)`,
    values: [objectGraph(graphNodes)],
    size: jsonSize(treeGraph(graphNodes)),
    pairs: [
      ['@cairn/structured', 'v8.serialize', '≤ 2×'],
      ['@cairn/structured', 'devalue', 'faster'],
    ],
  },
  {
    dataset: `the same graph as a tree (ids, numbers)`,
    values: [treeGraph(graphNodes)],
    size: jsonSize(treeGraph(graphNodes)),
    pairs: [
      ['@cairn/msgpack', 'msgpackr', 'within 5%'],
      ['jsonSerializer', 'JSON'],
    ],
  },
]

const samples: Sample[] = []
for (const { dataset, values, size, pairs } of comparisons) {
  log(dataset)
  const names = [...new Set(pairs.flat().filter((n): n is string => n !== undefined && n in codecs))]
  const encoded = new Map(names.map((n) => [n, values.map((v) => (codecs[n] as Codec).encode(v))]))
  const times = new Map(names.map((n) => [n, { encode: [] as number[], decode: [] as number[] }]))
  const minMs = quick ? 60 : 200
  for (let round = 0; round < rounds; round++) {
    // Interleaved: every codec runs once per round, so drift on this VM hits all of them alike.
    for (const n of names) {
      const codec = codecs[n] as Codec
      const inputs = encoded.get(n) as unknown[]
      times.get(n)?.encode.push(perValue(values, (v) => codec.encode(v), minMs))
      times.get(n)?.decode.push(perValue(inputs, (b) => codec.decode(b), minMs))
    }
  }
  const bytesPerCall = size / values.length
  for (const [ours, baseline, target] of pairs) {
    for (const phase of ['encode', 'decode'] as const) {
      const oursUs = median(times.get(ours)?.[phase] as number[])
      const baseUs = median(times.get(baseline)?.[phase] as number[])
      const mbps = (us: number) => bytesPerCall / us // bytes per µs = MB/s
      samples.push({
        group: dataset,
        name: `${ours} ${phase}`,
        unit: 'MB/s',
        median: mbps(oursUs),
        iterations: rounds,
        baseline: `${baseline} ${mbps(baseUs).toFixed(0)} MB/s`,
        ratio: baseUs / oursUs,
        ...(target ? { target: `${target} of ${baseline}` } : {}),
        note:
          values.length > 1
            ? `${(1e6 / oursUs / 1000).toFixed(0)}k values/s (${baseline} ${(1e6 / baseUs / 1000).toFixed(0)}k)`
            : `${(oursUs / 1000).toFixed(2)} ms per value`,
      })
    }
  }
}
log(`msgpackr native string extractor: ${isNativeAccelerationEnabled ? 'loaded' : 'not loaded'}`)
report('serializers', samples, quick)

/**
 * The large typed array dataset: a Float64Array of a million random fractions, given to each codec
 * in the form that codec carries exactly.
 *
 * - structured, v8, devalue: the Float64Array itself (they all round-trip typed arrays). The
 *   structured target is measured against v8 plus a copy of the decoded array (see `v8OwnedCodec`).
 * - msgpack and msgpackr: its 8 MB as a `Uint8Array` view, written as msgpack bin. That is the
 *   comparable case: plain msgpack has no typed arrays, both libraries write the same bin bytes.
 * - the sample codec (`encodeSample`) with an ndarray field, against msgpackr writing the same
 *   `{ dtype, shape, data: bin }` map (same bytes on the wire); the sample codec decodes to a
 *   Float64Array, msgpackr to the bin bytes.
 * - JSON: an array of the numbers.
 */
import { deserialize, serialize } from 'node:v8'
import { decodeSample, encodeSample, ndarray } from '@cairn/msgpack'
import { type Codec, codecs } from './codecs.js'
import { floats } from './datasets.js'
import type { Plan } from './plan.js'
import { sameBytes, sameTree, sameTypedArray } from './verify.js'

const sampleCodec: Codec = {
  name: 'msgpack sample codec (ndarray)',
  encode: (value) => encodeSample(value as Record<string, unknown>),
  decode: (bytes) => decodeSample(bytes),
}

const msgpackrSampleCodec: Codec = { ...codecs.msgpackr, name: 'msgpackr (plain), same map' }

/**
 * `v8.deserialize` returns a typed array over the input's memory (no copy); the structured decoder
 * copies, so the value never shares memory with the bytes it came from. This baseline adds that copy.
 */
const v8OwnedCodec: Codec = {
  name: 'v8.serialize/deserialize + owned copy',
  encode: (value) => serialize(value),
  decode: (bytes) => (deserialize(bytes) as Float64Array).slice(),
}

export function floatsDataset(count: number): Plan {
  const data = floats(count)
  const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
  const numbers = Array.from(data)
  const sameSample = (a: unknown, b: unknown): boolean => {
    const x = (a as { x: { data: ArrayBufferView; shape: unknown } }).x
    const y = (b as { x: { data: ArrayBufferView; shape: unknown } }).x
    return sameBytes(x.data, y.data) && sameTree(x.shape, y.shape)
  }
  return {
    group: `Float64Array ${count / 1e6}M`,
    key: 'floats',
    collectEachRound: true,
    perValue: false,
    about: `${count} float64s (${(data.byteLength / 1e6).toFixed(0)} MB): msgpack/msgpackr as bin bytes, the sample codec as an ndarray field, structured/v8/devalue as the typed array, JSON as an array of numbers`,
    entries: [
      { id: 'msgpack', codec: codecs.msgpack, inputs: [bytes], check: sameBytes },
      { id: 'msgpackr', codec: codecs.msgpackr, inputs: [bytes], check: sameBytes },
      { id: 'msgpackrGuarded', codec: codecs.msgpackrGuarded, inputs: [bytes], check: sameBytes },
      { id: 'sample', codec: sampleCodec, inputs: [{ x: ndarray(data) }], check: sameSample },
      {
        id: 'msgpackrSample',
        codec: msgpackrSampleCodec,
        inputs: [{ x: { dtype: 'float64', shape: [count], data: bytes } }],
        check: sameSample,
      },
      { id: 'structured', codec: codecs.structured, inputs: [data], check: sameTypedArray },
      { id: 'v8', codec: codecs.v8, inputs: [data], check: sameTypedArray },
      { id: 'v8Owned', codec: v8OwnedCodec, inputs: [data], check: sameTypedArray },
      { id: 'devalue', codec: codecs.devalue, inputs: [data], check: sameTypedArray },
      { id: 'json', codec: codecs.json, inputs: [numbers], check: sameTree },
      { id: 'rawJson', codec: codecs.rawJson, inputs: [numbers], check: sameTree },
    ],
    comparisons: [
      {
        ours: 'structured',
        against: [
          { id: 'v8', min: 0.5, direction: 'encode' },
          { id: 'v8Owned', min: 0.5, direction: 'decode' },
          { id: 'v8', direction: 'decode' },
          { id: 'devalue', min: 1, above: true },
        ],
        targetText: '≥ 0.5× v8 (+ copy), > 1× devalue',
      },
    ],
    sameBytes: [
      ['msgpack', 'msgpackr'],
      ['sample', 'msgpackrSample'],
    ],
  }
}

/**
 * The codecs the serializer benchmark compares: Cairn's serializers and the raw libraries they are
 * measured against, each as `encode(value) → bytes` and `decode(bytes) → value`.
 */
import { deserialize, serialize } from 'node:v8'
import { jsonSerializer } from '@cairn/core'
import { msgpackSerializer } from '@cairn/msgpack'
import { structuredSerializer } from '@cairn/structured'
import * as devalue from 'devalue'
import { isNativeAccelerationEnabled, Packr } from 'msgpackr'
import { checkMsgpackRefusals } from './msgpack-refusals.js'

export interface Codec {
  name: string
  encode(value: unknown): Uint8Array
  decode(bytes: Uint8Array): unknown
}

const utf8Encoder = new TextEncoder()
const utf8Decoder = new TextDecoder()

/**
 * msgpackr in plain-msgpack mode, set up to do what `msgpackSerializer` does: no records (so any
 * msgpack reader can read the bytes), no msgpackr extensions, `variableMapSize` (the smallest map
 * header, as msgpack writers do; without it msgpackr writes every map as map16 and cannot write an
 * object of more than 65535 keys), maps decoded as objects, and bin decoded as a copy (with the
 * default `copyBuffers: false` it is a view into the input, which the Cairn decoder never returns).
 * Set up so, it writes the same bytes as `msgpackSerializer` on the benchmark data (checked every
 * run). Its `pack` returns a view into a buffer it keeps writing into; `msgpackrOwned` adds the copy
 * into bytes the caller owns, which is what `msgpackSerializer` returns.
 */
const packr = new Packr({
  useRecords: false,
  moreTypes: false,
  structuredClone: false,
  variableMapSize: true,
  mapsAsObjects: true,
  copyBuffers: true,
})

/** Whether msgpackr loaded its native string extractor (`msgpackr-extract`) for decoding. */
export const msgpackrNative: boolean = isNativeAccelerationEnabled

export type CodecId =
  | 'json'
  | 'rawJson'
  | 'msgpack'
  | 'msgpackr'
  | 'msgpackrOwned'
  | 'msgpackrGuarded'
  | 'structured'
  | 'v8'
  | 'devalue'

export const codecs: Record<CodecId, Codec> = {
  json: {
    name: 'json (jsonSerializer)',
    encode: (value) => jsonSerializer.encode(value),
    decode: (bytes) => jsonSerializer.decode(bytes),
  },
  /** What `jsonSerializer` wraps, without its exactness checks: JSON.stringify/parse plus UTF-8. */
  rawJson: {
    name: 'JSON.stringify/parse',
    encode: (value) => utf8Encoder.encode(JSON.stringify(value)),
    decode: (bytes) => JSON.parse(utf8Decoder.decode(bytes)),
  },
  msgpack: {
    name: 'msgpack (msgpackSerializer)',
    encode: (value) => msgpackSerializer.encode(value),
    decode: (bytes) => msgpackSerializer.decode(bytes),
  },
  msgpackr: {
    name: 'msgpackr (plain)',
    encode: (value) => packr.pack(value),
    decode: (bytes) => packr.unpack(bytes),
  },
  msgpackrOwned: {
    name: 'msgpackr (plain) + owned copy',
    encode: (value) => new Uint8Array(packr.pack(value)),
    decode: (bytes) => packr.unpack(bytes),
  },
  /** The encoder target's baseline: msgpackr doing what msgpackSerializer guarantees (issue 12 item 7). */
  msgpackrGuarded: {
    name: 'msgpackr (plain) + owned copy + refusal checks',
    encode: (value) => {
      checkMsgpackRefusals(value)
      return new Uint8Array(packr.pack(value))
    },
    decode: (bytes) => packr.unpack(bytes),
  },
  structured: {
    name: 'structured (structuredSerializer)',
    encode: (value) => structuredSerializer.encode(value),
    decode: (bytes) => structuredSerializer.decode(bytes),
  },
  v8: {
    name: 'v8.serialize/deserialize',
    encode: (value) => serialize(value),
    decode: (bytes) => deserialize(bytes),
  },
  /** devalue works on strings; as a serializer it needs the UTF-8 step too (as JSON does). */
  devalue: {
    name: 'devalue (+ UTF-8)',
    encode: (value) => utf8Encoder.encode(devalue.stringify(value)),
    decode: (bytes) => devalue.parse(utf8Decoder.decode(bytes)),
  },
}

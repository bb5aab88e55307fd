/**
 * `pnpm bench -- --only=msgpack-contract [--quick]`: what @cairn/msgpack's encoder contract costs
 * against msgpackr (the figures behind the decision in packages/msgpack/README.md, "Speed"). The
 * shipped encoder is raced against copies of its built code with a guarantee taken out:
 *
 * - `no checks`: plain objects are not checked for symbol keys and non-enumerable properties (which
 *   msgpack would then drop silently instead of refusing);
 * - `shared buffer`: results under 4 KiB are views into a shared 8 KiB buffer, as msgpackr returns
 *   (and as Node's Buffer pool hands out), instead of bytes over an ArrayBuffer of their own;
 * - both.
 *
 * The copies are experiments, never shipped: each is made by replacing exact pieces of the built
 * `encode.js` in a temporary directory, and the run stops if a piece is not found, so an edited
 * encoder cannot be measured without its change. Every copy must write msgpackr's bytes.
 */
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import type { Serializer } from '@cairn/core'
import type { Sample } from './measure.js'
import { report } from './report.js'
import { type Codec, codecs } from './serializers/codecs.js'
import { smallRecords } from './serializers/datasets.js'
import { type Comparison, measureDataset, type Plan, type PlanEntry } from './serializers/plan.js'
import { sameTree } from './serializers/verify.js'

const quick = process.argv.includes('--quick')
const raceOptions = quick
  ? { rounds: 7, batchMs: 10, warmupMs: 200 }
  : { rounds: 21, batchMs: 25, warmupMs: 600 }

const NO_CHECKS: [string, string][] = [
  ['Object.getOwnPropertyNames(obj).length !== length', 'false'],
  ['Object.getOwnPropertySymbols(obj).length > 0', 'false'],
]
const SHARED_BUFFER: [string, string][] = [
  // The result without deferred byte arrays (core's ScratchWriter.finish makes an owned copy of it).
  [
    "return this.finish('a Uint8Array')",
    "return this.deferred.length === 0 ? sharedSlice(this.bytes, this.pos) : this.finish('a Uint8Array')",
  ],
  [
    'export class MsgpackEncoder',
    `let shared = new Uint8Array(8192);
let sharedAt = 0;
function sharedSlice(bytes, length) {
    if (length >= 4096) return bytes.slice(0, length);
    if (sharedAt + length > 8192) { shared = new Uint8Array(8192); sharedAt = 0; }
    const out = shared.subarray(sharedAt, sharedAt + length);
    out.set(bytes.subarray(0, length));
    sharedAt = (sharedAt + length + 7) & ~7;
    return out;
}
export class MsgpackEncoder`,
  ],
]

/** A copy of the built package with `edits` made to its encoder, loaded as a module. */
async function variant(dir: string, name: string, edits: [string, string][]): Promise<Serializer> {
  const packageDist = dirname(fileURLToPath(import.meta.resolve('@cairn/msgpack')))
  const core = import.meta.resolve('@cairn/core')
  const target = join(dir, name)
  cpSync(packageDist, target, { recursive: true })
  for (const file of readdirSync(target).filter((f) => f.endsWith('.js'))) {
    let text = readFileSync(join(target, file), 'utf8').replaceAll("from '@cairn/core'", `from '${core}'`)
    if (file === 'encode.js') {
      for (const [from, to] of edits) {
        if (!text.includes(from)) throw new Error(`${name}: "${from}" is not in the built encoder any more`)
        text = text.replace(from, to)
      }
    }
    writeFileSync(join(target, file), text)
  }
  const module = (await import(pathToFileURL(join(target, 'index.js')).href)) as {
    msgpackSerializer: Serializer
  }
  return module.msgpackSerializer
}

const dir = mkdtempSync(join(tmpdir(), 'cairn-msgpack-contract-'))
let samples: Sample[]
try {
  const variants: [string, string, Serializer][] = [
    ['noChecks', 'msgpack, no checks', await variant(dir, 'no-checks', NO_CHECKS)],
    ['shared', 'msgpack, shared buffer', await variant(dir, 'shared', SHARED_BUFFER)],
    [
      'both',
      'msgpack, no checks + shared buffer',
      await variant(dir, 'both', [...NO_CHECKS, ...SHARED_BUFFER]),
    ],
  ]
  const contenders: [string, Codec][] = [
    ['msgpack', codecs.msgpack],
    ...variants.map(([id, name, serializer]): [string, Codec] => [
      id,
      { name, encode: (v) => serializer.encode(v), decode: (b) => serializer.decode(b) },
    ]),
    ['msgpackr', codecs.msgpackr],
  ]
  const ids = contenders.map(([id]) => id)
  const comparisons: Comparison[] = ids
    .filter((id) => id !== 'msgpackr')
    .map((id) => ({ ours: id, against: [{ id: 'msgpackr', min: 0.95 }], targetText: '≥ 0.95× msgpackr' }))
  const entries = (inputs: unknown[]): PlanEntry[] =>
    contenders.map(([id, codec]) => ({ id, codec, inputs, check: sameTree }))
  const records = smallRecords(1000)
  const plans: Plan[] = [
    { group: '1 small record', key: 'records', perValue: true, about: '', entries: entries(records) },
    {
      group: '1000 small records',
      key: 'records-batch',
      perValue: false,
      about: '',
      entries: entries([records]),
    },
  ]
  for (const plan of plans)
    plan.sameBytes = ids.filter((id) => id !== 'msgpackr').map((id) => [id, 'msgpackr'])
  samples = plans.flatMap((plan) =>
    measureDataset(plan, comparisons, raceOptions).filter((s) => s.name.endsWith(' encode')),
  )
} finally {
  rmSync(dir, { recursive: true, force: true })
}
report('msgpack-contract', samples, quick)
console.log(
  '\nEncode only (the decoders are the same code). "vs baseline" = speed over msgpackr (median of per-round ratios).',
)

/**
 * `pnpm bench -- --only=serializers [--quick] [--reuse-inputs]
 * [--datasets=records,records-batch,floats,graph]`: Cairn's serializers (json, msgpack, structured)
 * against the libraries they are measured by (JSON.stringify/parse, msgpackr, v8.serialize, devalue)
 * in the same process, on small records (one per call, and 1000 as one array), a Float64Array of 1M
 * and an object graph of 2000 nodes. Every codec is checked to round-trip the data first; msgpack and
 * msgpackr must write the same bytes. Timing: serializers/race.ts. Every decode call gets a new
 * Uint8Array object (serializers/plan.ts says why); `--reuse-inputs` decodes the same objects again
 * and again instead. Printed as a table and written to bench-results/serializers.json.
 */
import type { Sample } from './measure.js'
import { report } from './report.js'
import { type CodecId, codecs, msgpackrNative } from './serializers/codecs.js'
import type { GraphNode } from './serializers/datasets.js'
import { graph, smallRecords, treeOf } from './serializers/datasets.js'
import { floatsDataset } from './serializers/float-dataset.js'
import { type Comparison, measureDataset, type Plan, type PlanEntry } from './serializers/plan.js'
import { sameGraph, sameTree } from './serializers/verify.js'

const quick = process.argv.includes('--quick')
const raceOptions = {
  ...(quick ? { rounds: 7, batchMs: 10, warmupMs: 200 } : { rounds: 21, batchMs: 25, warmupMs: 600 }),
  reuseInputs: process.argv.includes('--reuse-inputs'),
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`)
}

/** Who is compared with whom, and the targets (issue 4). */
const COMPARISONS: Comparison[] = [
  {
    // Issue 12 item 7: encode within 5% of msgpackr doing the same guaranteed work (an owned result
    // and the refusals); decode faster than plain msgpackr.
    ours: 'msgpack',
    against: [
      { id: 'msgpackrGuarded', min: 0.95, direction: 'encode' },
      { id: 'msgpackr', min: 1, above: true, direction: 'decode' },
      { id: 'msgpackr', direction: 'encode' },
      { id: 'msgpackrOwned', direction: 'encode' },
    ],
    targetText: 'encode ≥ 0.95× msgpackr + owned + refusals, decode > 1× msgpackr',
  },
  { ours: 'sample', against: [{ id: 'msgpackrSample' }] },
  { ours: 'json', against: [{ id: 'rawJson' }] },
  {
    ours: 'structured',
    against: [
      { id: 'v8', min: 0.5 },
      { id: 'devalue', min: 1, above: true },
    ],
    targetText: '≥ 0.5× v8, > 1× devalue',
  },
]

const ALL: CodecId[] = [
  'msgpack',
  'msgpackr',
  'msgpackrOwned',
  'msgpackrGuarded',
  'json',
  'rawJson',
  'structured',
  'v8',
  'devalue',
]
const entry = (id: CodecId, inputs: unknown[], check = sameTree): PlanEntry => ({
  id,
  codec: codecs[id],
  inputs,
  check,
})

const records = smallRecords(1000)
const root = graph(2000)
const tree = treeOf(root)

const plans: Plan[] = [
  {
    group: '1 small record',
    key: 'records',
    perValue: true,
    about: 'one ~6-field record per call, cycling through 1000',
    entries: ALL.map((id) => entry(id, records)),
    sameBytes: [
      ['msgpack', 'msgpackr'],
      ['msgpack', 'msgpackrGuarded'],
    ],
  },
  {
    group: '1000 small records',
    key: 'records-batch',
    perValue: false,
    about: 'an array of the same 1000 records per call',
    entries: ALL.map((id) => entry(id, [records])),
    sameBytes: [
      ['msgpack', 'msgpackr'],
      ['msgpack', 'msgpackrGuarded'],
    ],
  },
  floatsDataset(1_000_000),
  {
    group: 'object graph, 2000 nodes',
    key: 'graph',
    perValue: false,
    about:
      'structured/v8/devalue: nodes with a Date, a Set, parent back-links (cycles), links to ancestors and shared category objects with a Map; msgpack/JSON: the same data as a tree (links as ids, Date as ms, Set as array, categories copied, Map as object)',
    entries: [
      ...(['msgpack', 'msgpackr', 'msgpackrGuarded', 'json', 'rawJson'] as const).map((id) =>
        entry(id, [tree]),
      ),
      ...(['structured', 'v8', 'devalue'] as const).map((id) =>
        entry(id, [root], (a, b) => sameGraph(a as GraphNode, b as GraphNode)),
      ),
    ],
    sameBytes: [
      ['msgpack', 'msgpackr'],
      ['msgpack', 'msgpackrGuarded'],
    ],
  },
]

const nativeNote = msgpackrNative
  ? 'msgpackr-extract (native string extractor) loaded'
  : 'msgpackr-extract NOT loaded (pure JS msgpackr)'
log(`${nativeNote}; ${quick ? 'quick' : 'full'} run: ${JSON.stringify(raceOptions)}`)

const only = process.argv
  .find((arg) => arg.startsWith('--datasets='))
  ?.slice('--datasets='.length)
  .split(',')
const samples: Sample[] = []
for (const plan of plans.filter((p) => only === undefined || only.includes(p.key))) {
  log(`${plan.group}: ${plan.about}`)
  samples.push(...measureDataset(plan, COMPARISONS, raceOptions, { msgpackr: nativeNote }))
}

report('serializers', samples, quick)
console.log(
  `\nRates: MB/s = 10^6 bytes of each codec's own encoding per second; values/s = calls per second. ` +
    `"vs baseline" = how many times faster than the baseline (median of per-round ratios, interleaved rounds). ` +
    `${nativeNote}.`,
)

import {
  composeStore,
  createMemoryBacking,
  InlineExecutor,
  JSON_MAX_DEPTH,
  jsonSerializer,
  MemoryStore,
} from '@cairn/core'
import { runExecutorSuite, runSerializerSuite, runStoreSuite } from '../src/vitest.js'
import { memoryHarness } from './memory-harness.js'

runStoreSuite({
  name: 'MemoryStore',
  factory: () => memoryHarness(createMemoryBacking()),
  capabilities: new MemoryStore().capabilities,
  oracle: true,
})
runStoreSuite({
  name: 'composeStore(meta: MemoryStore, blobs: MemoryStore)',
  factory: () => {
    const metaBacking = createMemoryBacking()
    const blobBacking = createMemoryBacking()
    const compose = () =>
      composeStore({
        meta: new MemoryStore({ backing: metaBacking }),
        blobs: new MemoryStore({ backing: blobBacking }),
      })
    // The oracle reads each part where its data really lands: bytes in the blob store, refs and commits in meta.
    const oracle = {
      ...memoryHarness(blobBacking).oracle!,
      readRef: async (name: string) => metaBacking.refs.get(name),
      readCommit: async (hash: string) => metaBacking.commits.get(hash),
    }
    return { store: compose(), oracle, reopen: async () => compose() }
  },
  capabilities: composeStore({ meta: new MemoryStore(), blobs: new MemoryStore() }).capabilities,
  oracle: true,
})
const utf8 = (text: string) => new TextEncoder().encode(text)
runSerializerSuite({
  name: 'jsonSerializer',
  factory: () => jsonSerializer,
  maxDepth: JSON_MAX_DEPTH,
  nestingBomb: (depth) => utf8(`${'['.repeat(depth)}${']'.repeat(depth)}`),
  hostileInputs: [
    ['whitespace around a value', utf8(' \n\t[1, {"a" : 2}]\r\n')],
    ['a 1 MiB string of escapes', utf8(`"${'\\u0041'.repeat(174_762)}"`)],
  ],
  refusedInputs: [
    ['a million unclosed brackets', utf8('['.repeat(1_000_000))],
    ['100 000 nested objects, never closed', utf8('{"a":'.repeat(100_000))],
    ['a million digits (Infinity)', utf8('1'.repeat(1_000_000))],
    ['a lone surrogate escape', utf8('"\\ud800"')],
    ['invalid UTF-8', new Uint8Array([0x22, 0xc3, 0x28, 0x22])],
    ['a number too large for a double', utf8('1e400')],
    ['-0', utf8('[-0]')],
    ['trailing garbage', utf8('{"a":1} x')],
    ['a leading BOM', utf8('\uFEFF[1]')],
    ['NaN, which JSON does not have', utf8('NaN')],
  ],
})
runExecutorSuite({ name: 'InlineExecutor', factory: () => new InlineExecutor() })

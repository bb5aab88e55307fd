import { composeStore, createMemoryBacking, InlineExecutor, jsonSerializer, MemoryStore } from '@cairn/core'
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
runSerializerSuite({
  name: 'jsonSerializer',
  factory: () => jsonSerializer,
  nestingBomb: (depth) => new TextEncoder().encode(`${'['.repeat(depth)}${']'.repeat(depth)}`),
  hostileInputs: [
    ['a lone surrogate escape', new TextEncoder().encode('"\\ud800"')],
    ['invalid UTF-8', new Uint8Array([0x22, 0xc3, 0x28, 0x22])],
    ['a number too large for a double', new TextEncoder().encode('1e400')],
    ['trailing garbage', new TextEncoder().encode('{"a":1} x')],
  ],
})
runExecutorSuite({ name: 'InlineExecutor', factory: () => new InlineExecutor() })

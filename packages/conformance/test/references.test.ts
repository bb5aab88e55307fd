import { createMemoryBacking, InlineExecutor, jsonSerializer, MemoryStore } from '@cairn/core'
import { runExecutorSuite, runSerializerSuite, runStoreSuite } from '../src/vitest.js'
import { memoryHarness } from './memory-harness.js'

runStoreSuite({
  name: 'MemoryStore',
  factory: () => memoryHarness(createMemoryBacking()),
  capabilities: new MemoryStore().capabilities,
  oracle: true,
})
runSerializerSuite({ name: 'jsonSerializer', factory: () => jsonSerializer })
runExecutorSuite({ name: 'InlineExecutor', factory: () => new InlineExecutor() })

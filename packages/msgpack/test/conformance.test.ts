import { runSerializerSuite } from '@cairn/conformance/vitest'
import { createMsgpackSerializer, msgpackSerializer } from '../src/index.js'

runSerializerSuite({ name: 'msgpackSerializer', factory: () => msgpackSerializer, randomInputs: 10_000 })
runSerializerSuite({
  name: 'msgpack, maxDepth 200',
  factory: () => createMsgpackSerializer({ maxDepth: 200 }),
})

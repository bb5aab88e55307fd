import { runSerializerSuite } from '@cairn/conformance/vitest'
import { ClassRegistry, createStructuredSerializer, structuredSerializer } from '../src/index.js'

runSerializerSuite({
  name: 'structuredSerializer',
  factory: () => structuredSerializer,
  randomInputs: 10_000,
})
runSerializerSuite({
  name: 'structured, with classes and maxDepth 300',
  factory: () =>
    createStructuredSerializer({
      classes: new ClassRegistry().register(class Point {}, { name: 'Point' }),
      maxDepth: 300,
    }),
})

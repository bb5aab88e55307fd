export {
  bytesEqual,
  ConformanceError,
  check,
  collect,
  deepEqual,
  equal,
  expectCode,
  firstDifference,
} from './assert.js'
export { type ExecutorSuiteOptions, executorSuite } from './executor-suite.js'
export { chunksOf, makeCommit, pseudoRandomBytes, pseudoRandomStream, sameCall } from './fixtures.js'
export type { SuiteReport, SuiteRunner } from './runner.js'
export { prng } from './serializer-hostile.js'
export {
  EDGE_CATALOGUE,
  type Sample,
  type SerializerSuiteOptions,
  serializerSuite,
  VALUE_CATALOGUE,
} from './serializer-suite.js'
export type { StoreHarness, StoreOracle, StoreSuiteOptions } from './store-harness.js'
export { storeSuite } from './store-suite.js'

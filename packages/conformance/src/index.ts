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
  COMBINED_CATALOGUE,
  type CompareOptions,
  EDGE_CATALOGUE,
  PROTO_KEY_PAYLOADS,
  REFUSED_CATALOGUE,
  type RefusedSample,
  type Sample,
  type SerializerSuiteOptions,
  serializerSuite,
  VALUE_CATALOGUE,
  valueDifference,
} from './serializer-suite.js'
export {
  expectCodeSync,
  expectDetachedLaterRefused,
  expectOwnedBytes,
  expectValueOrCode,
  hex,
  seededBytes,
  toHex,
} from './serializer-test-helpers.js'
export type { StoreHarness, StoreOracle, StoreSuiteOptions } from './store-harness.js'
export { storeSuite } from './store-suite.js'

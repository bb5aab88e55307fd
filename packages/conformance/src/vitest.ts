import { describe, it } from 'vitest'
import { type ExecutorSuiteOptions, executorSuite } from './executor-suite.js'
import type { SuiteReport, SuiteRunner } from './runner.js'
import { type SerializerSuiteOptions, serializerSuite } from './serializer-suite.js'
import type { StoreSuiteOptions } from './store-harness.js'
import { storeSuite } from './store-suite.js'

/** vitest's functions as a SuiteRunner. */
export const vitestRunner: SuiteRunner = {
  describe: (name, fn) => describe(name, fn),
  it: (name, fn, timeoutMs) => it(name, fn, timeoutMs),
  skip: (name, fn) => it.skip(name, fn),
}

export function runStoreSuite(options: StoreSuiteOptions): SuiteReport {
  return storeSuite(vitestRunner, options)
}
export function runSerializerSuite(options: SerializerSuiteOptions): SuiteReport {
  return serializerSuite(vitestRunner, options)
}
export function runExecutorSuite(options: ExecutorSuiteOptions): SuiteReport {
  return executorSuite(vitestRunner, options)
}

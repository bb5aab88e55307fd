import type { SuiteReport, SuiteRunner } from './runner.js'
import { registerHostileTests } from './serializer-hostile-tests.js'
import type { SerializerSuiteOptions } from './serializer-options.js'
import { registerValueTests } from './serializer-value-tests.js'

export { type CompareOptions, valueDifference } from './serializer-compare.js'
export type { SerializerSuiteOptions } from './serializer-options.js'
export {
  COMBINED_CATALOGUE,
  EDGE_CATALOGUE,
  PROTO_KEY_PAYLOADS,
  REFUSED_CATALOGUE,
  type RefusedSample,
  type Sample,
  VALUE_CATALOGUE,
} from './serializer-values.js'

/**
 * Registers the Serializer rules: exact, deterministic round trips of the declared kinds (the value
 * catalogue), refusal instead of silent change for everything else, and a timed hostile-input
 * catalogue derived from the serializer's own encodings.
 */
export function serializerSuite(runner: SuiteRunner, options: SerializerSuiteOptions): SuiteReport {
  const report: SuiteReport = { skipped: [] }
  runner.describe(`serializerSuite: ${options.name}`, () => {
    registerValueTests(runner, report, options)
    registerHostileTests(runner, report, options)
  })
  return report
}

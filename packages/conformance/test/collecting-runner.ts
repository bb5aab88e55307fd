import type { SuiteRunner } from '../src/index.js'

/** A SuiteRunner that records tests, then runs them and reports pass/fail by full name. */
export function collectingRunner(): SuiteRunner & {
  /** Runs every test, or only those whose full name contains `only`. */
  run(only?: string): Promise<Map<string, string | undefined>>
} {
  const tests: [string, () => Promise<void> | void][] = []
  const path: string[] = []
  return {
    describe(name, fn) {
      path.push(name)
      fn()
      path.pop()
    },
    it(name, fn) {
      tests.push([[...path, name].join(' > '), fn])
    },
    async run(only) {
      const results = new Map<string, string | undefined>()
      for (const [name, fn] of tests) {
        if (only !== undefined && !name.includes(only)) continue
        try {
          await fn()
          results.set(name, undefined)
        } catch (error) {
          results.set(name, String((error as Error)?.message ?? error))
        }
      }
      return results
    },
  }
}

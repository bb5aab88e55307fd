import type { SuiteRunner } from '../src/index.js'

/** A SuiteRunner that records tests, then runs them and reports pass/fail by full name. */
export function collectingRunner(): SuiteRunner & { run(): Promise<Map<string, string | undefined>> } {
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
    async run() {
      const results = new Map<string, string | undefined>()
      for (const [name, fn] of tests) {
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

/** The runner's functions the suites need; pass vitest's, mocha's, node:test's or your own. */
export interface SuiteRunner {
  describe(name: string, fn: () => void): void
  it(name: string, fn: () => Promise<void> | void, timeoutMs?: number): void
  /** Registers a skipped test so the runner reports it; without it, skips are only in the report. */
  skip?(name: string, fn: () => Promise<void> | void): void
}

/** What a suite registered but skipped, and why (a capability the implementation does not claim). */
export interface SuiteReport {
  skipped: { test: string; reason: string }[]
}

/** Registers a test, or a skip with its reason when `skipReason` is set. */
export function register(
  runner: SuiteRunner,
  report: SuiteReport,
  name: string,
  fn: () => Promise<void>,
  skipReason?: string,
  timeoutMs?: number,
): void {
  if (skipReason === undefined) {
    runner.it(name, fn, timeoutMs)
    return
  }
  report.skipped.push({ test: name, reason: skipReason })
  if (runner.skip) runner.skip(`${name} (skipped: ${skipReason})`, () => undefined)
}

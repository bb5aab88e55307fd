import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import type { Sample } from './measure.js'
import { publish } from './publish.js'
import type { RunRecord } from './runs.js'

/** Set by `main.ts` for each repetition: the run's record goes there, and main prints them together. */
export const RUN_FILE_ENV = 'CAIRN_BENCH_RUN_FILE'

// A suite imports this module before it measures anything, so this is the load as its run starts.
const startedAt = new Date().toISOString()
const loadStart = loadavg()

/**
 * Ends a suite's run with its rows: hands them to `main.ts` (which repeats the suite and prints the
 * runs together), or, when the suite was started on its own, prints this one run as a table and
 * writes `bench-results/<suite>.json`.
 */
export function report(suite: string, samples: Sample[], quick: boolean): void {
  const record: RunRecord = {
    startedAt,
    endedAt: new Date().toISOString(),
    loadStart,
    loadEnd: loadavg(),
    samples,
  }
  const runFile = process.env[RUN_FILE_ENV]
  if (runFile) writeFileSync(runFile, JSON.stringify(record))
  else publish(suite, [record], quick)
}

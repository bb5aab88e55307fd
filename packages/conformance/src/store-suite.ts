import { check } from './assert.js'
import { register, type SuiteReport, type SuiteRunner } from './runner.js'
import { blobCases } from './store-blobs.js'
import { commitCases } from './store-commits.js'
import { type StoreSuiteOptions, type StoreTestContext, withStore } from './store-harness.js'
import { lineageCases } from './store-lineage.js'
import { refCases } from './store-refs.js'
import { safetyCases } from './store-safety.js'

type Need = 'oracle' | 'crossProcessCas' | 'persistent' | 'quarantine' | undefined

/**
 * Registers every Store rule as a test. Groups whose capability the store does not claim are
 * registered as skips (through `runner.skip` when given) and listed in the returned report.
 */
export function storeSuite(runner: SuiteRunner, options: StoreSuiteOptions): SuiteReport {
  const report: SuiteReport = { skipped: [] }
  const timeout = options.timeoutMs ?? 120_000
  const groups: [string, [string, (ctx: StoreTestContext) => Promise<void>, Need?][]][] = [
    ['blobs', blobCases],
    ['commits', commitCases],
    ['lineage', lineageCases],
    ['refs', refCases],
    ['safety', safetyCases],
  ]
  runner.describe(`storeSuite: ${options.name}`, () => {
    for (const [group, cases] of groups) {
      runner.describe(group, () => {
        for (const [name, body, need] of cases) {
          register(
            runner,
            report,
            name,
            () =>
              withStore(options, async (ctx) => {
                if (need === 'oracle')
                  check(ctx.harness.oracle, 'options.oracle is set but the harness has no oracle')
                if (need === 'persistent')
                  check(ctx.harness.reopen, 'the store is persistent but the harness has no reopen()')
                await body(ctx)
              }),
            skipReason(need, options),
            timeout,
          )
        }
      })
    }
  })
  return report
}

function skipReason(need: Need, options: StoreSuiteOptions): string | undefined {
  switch (need) {
    case 'oracle':
      return options.oracle ? undefined : 'no raw oracle (options.oracle is not set)'
    case 'persistent':
      return options.capabilities.persistent ? undefined : 'capabilities.persistent is false'
    case 'quarantine':
      return options.capabilities.quarantine ? undefined : 'capabilities.quarantine is false'
    case 'crossProcessCas':
      return options.capabilities.crossProcessCas ? undefined : 'capabilities.crossProcessCas is false'
    default:
      return undefined
  }
}

import { createMemoryBacking, ErrorCode, InlineExecutor, MemoryStore } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { executorSuite, storeSuite } from '../src/index.js'
import { brokenStores } from './broken/broken-stores.js'
import { collectingRunner } from './collecting-runner.js'
import { memoryHarness } from './memory-harness.js'

const capabilities = new MemoryStore().capabilities

async function runAgainst(wrap?: (typeof brokenStores)[string]['wrap']) {
  const runner = collectingRunner()
  storeSuite(runner, {
    name: 'subject',
    factory: () => {
      const backing = createMemoryBacking()
      return memoryHarness(backing, wrap ? (s) => wrap(s, backing.blobs) : undefined)
    },
    capabilities,
    oracle: true,
    largeBlobBytes: 1024 * 1024,
  })
  return runner.run()
}

/** Which suite test each broken store must fail (a substring of the test's full name). */
const mustFail: Record<keyof typeof brokenStores, string> = {
  unverifiedGet: 'never returns tampered bytes',
  unverifiedStream: 'never returns tampered bytes',
  racyCas: 'exactly one of many concurrent compare-and-swaps win',
  oldestFirst: 'lists commits newest first',
  ignoresInput: 'lineage: listCommits({ input }) returns exactly the commits that consumed it',
  servesFailures: 'findByFingerprint returns the newest completed commit',
  strictDelete: 'deletes idempotently',
  ignoresAbort: 'honours an aborted signal',
  acceptsTraversal: 'refuses dangerous ref names',
  worksAfterClose: 'refuses every call after close',
}

describe('the store suite can fail', () => {
  it('passes every test against the healthy MemoryStore through the same runner', async () => {
    const results = await runAgainst()
    const failures = [...results].filter(([, error]) => error !== undefined)
    expect(failures).toEqual([])
    expect(results.size).toBeGreaterThan(20)
  })

  for (const [name, broken] of Object.entries(brokenStores)) {
    it(`catches a store whose ${broken.breaks}`, async () => {
      const results = await runAgainst(broken.wrap)
      const expected = mustFail[name as keyof typeof brokenStores] as string
      const matching = [...results].filter(([test]) => test.includes(expected))
      expect(matching.length).toBe(1)
      expect(matching[0]?.[1], `${name} should fail "${expected}"`).toBeDefined()
    })
  }
})

describe('the executor suite can fail', () => {
  it('catches an executor that wraps errors and runs aborted jobs', async () => {
    const inner = new InlineExecutor()
    const sloppy = {
      specVersion: inner.specVersion,
      capabilities: inner.capabilities,
      async run(job: Parameters<InlineExecutor['run']>[0]) {
        try {
          return await job.fn?.(...job.args)
        } catch (error) {
          throw new Error(`wrapped: ${(error as Error).message}`)
        }
      },
      close: () => inner.close(),
    }
    const runner = collectingRunner()
    executorSuite(runner, { name: 'sloppy', factory: () => sloppy })
    const results = await runner.run()
    expect([...results].find(([t]) => t.includes('own error'))?.[1]).toBeDefined()
    expect([...results].find(([t]) => t.includes('pre-aborted'))?.[1]).toContain(ErrorCode.Aborted)
    const healthy = collectingRunner()
    executorSuite(healthy, { name: 'inline', factory: () => new InlineExecutor() })
    expect([...(await healthy.run())].filter(([, e]) => e)).toEqual([])
  })
})

import {
  createMemoryBacking,
  ErrorCode,
  InlineExecutor,
  jsonSerializer,
  MemoryStore,
  type Serializer,
} from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { executorSuite, serializerSuite, storeSuite } from '../src/index.js'
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

describe('the serializer and executor suites can fail', () => {
  it('catches a JSON serializer that turns a Map into {}', async () => {
    const lossy: Serializer = {
      ...jsonSerializer,
      encode: (value) => new TextEncoder().encode(JSON.stringify(value) ?? 'null'),
    }
    const runner = collectingRunner()
    serializerSuite(runner, { name: 'lossy', factory: () => lossy, randomInputs: 50 })
    const results = await runner.run()
    const refusal = [...results].find(([test]) => test.includes('refuses (never silently changes)'))
    expect(refusal?.[1]).toMatch(/silently changed|must be refused/)
    const healthy = collectingRunner()
    serializerSuite(healthy, { name: 'json', factory: () => jsonSerializer, randomInputs: 50 })
    expect([...(await healthy.run())].filter(([, e]) => e)).toEqual([])
  })

  /** JSON serializers that each break one hostile-input rule, and the message the suite must give. */
  const jsonBomb = (depth: number) => new TextEncoder().encode(`${'['.repeat(depth)}${']'.repeat(depth)}`)
  const parse = (bytes: Uint8Array) => jsonSerializer.decode(bytes)
  const brokenSerializers: [breaks: string, decode: (bytes: Uint8Array) => unknown, message: RegExp][] = [
    [
      'merges decoded objects with plain assignment (prototype pollution)',
      (bytes) => {
        const merge = (target: Record<string, any>, source: Record<string, any>) => {
          for (const key in source) {
            if (source[key] && typeof source[key] === 'object') {
              target[key] ??= {}
              merge(target[key], source[key])
            } else target[key] = source[key]
          }
          return target
        }
        const value = JSON.parse(new TextDecoder().decode(bytes))
        return value && typeof value === 'object' ? merge({}, value) : value
      },
      /polluted|foreign prototype|own data key/,
    ],
    [
      'answers garbage with null instead of an error',
      (bytes) => {
        try {
          return parse(bytes)
        } catch {
          return null
        }
      },
      /instead of a coded error/,
    ],
    [
      'throws a bare RangeError on deep nesting',
      (bytes) => {
        if (bytes.byteLength > 10_000 && bytes[0] === 0x5b)
          throw new RangeError('Maximum call stack size exceeded')
        return parse(bytes)
      },
      /uncoded error/,
    ],
    [
      'spins on a nesting bomb',
      (bytes) => {
        if (bytes.byteLength > 10_000 && bytes[0] === 0x5b) {
          const until = performance.now() + 120
          while (performance.now() < until) {
            // busy: a decoder that does unbounded work
          }
        }
        return parse(bytes)
      },
      /took \d+ ms/,
    ],
  ]
  for (const [breaks, decode, message] of brokenSerializers) {
    it(`catches a serializer that ${breaks}`, async () => {
      const runner = collectingRunner()
      const broken: Serializer = { ...jsonSerializer, decode }
      try {
        serializerSuite(runner, {
          name: 'broken',
          factory: () => broken,
          randomInputs: 50,
          nestingBomb: jsonBomb,
          maxDecodeMs: 100,
        })
        const failures = [...(await runner.run())].filter(([, error]) => error !== undefined)
        expect(failures.map(([, error]) => String(error)).join('\n')).toMatch(message)
      } finally {
        delete (Object.prototype as Record<string, unknown>).polluted
      }
    })
  }

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

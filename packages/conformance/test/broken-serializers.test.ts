import { jsonSerializer } from '@cairn/core'
import { describe, expect, it } from 'vitest'
import { serializerSuite } from '../src/index.js'
import { brokenSerializers } from './broken/broken-serializers.js'
import { collectingRunner } from './collecting-runner.js'

describe('the serializer suite can fail', () => {
  it('passes every test against the healthy jsonSerializer through the same runner', async () => {
    const runner = collectingRunner()
    serializerSuite(runner, {
      name: 'json',
      factory: () => jsonSerializer,
      randomInputs: 200,
      maxDepth: 1000,
      nestingBomb: (depth) => new TextEncoder().encode(`${'['.repeat(depth)}${']'.repeat(depth)}`),
    })
    const results = await runner.run()
    expect([...results].filter(([, error]) => error !== undefined)).toEqual([])
    expect(results.size).toBeGreaterThanOrEqual(13)
  })

  for (const broken of brokenSerializers) {
    it(`catches a serializer that ${broken.breaks}`, async () => {
      const runner = collectingRunner()
      try {
        serializerSuite(runner, {
          name: 'broken',
          factory: () => broken.serializer,
          randomInputs: 200,
          ...broken.options,
        })
        const results = [...(await runner.run(broken.test))]
        expect(results.length, `one suite test is named "${broken.test}"`).toBe(1)
        expect(results[0]?.[1], `"${broken.test}" must fail`).toMatch(broken.message)
      } finally {
        delete (Object.prototype as Record<string, unknown>).polluted
      }
    })
  }
})

import {
  type Commit,
  type CommitQuery,
  compareNewestFirst,
  ErrorCode,
  matchesQuery,
  sha256Hex,
} from '@cairn/core'
import { collect, deepEqual, expectCode } from './assert.js'
import { makeCommit } from './fixtures.js'
import type { StoreTestContext } from './store-harness.js'

type Case = [name: string, body: (ctx: StoreTestContext) => Promise<void>]

const hashes = (commits: Commit[]) => commits.map((c) => c.hash)

/**
 * Two sources and their consumers: some consume both, one names its input twice, two share a
 * `createdAt` (order falls to the hash), one consumes a commit that is not stored.
 */
function lineageFixture(): { a: Commit; b: Commit; all: Commit[] } {
  const a = makeCommit({ seed: 'lin-a', createdAt: 10 })
  const b = makeCommit({ seed: 'lin-b', createdAt: 11, task: { ...makeCommit().task, name: 'load' } })
  const absent = sha256Hex('lineage: never stored')
  const task = (name: string, seed: string) => ({ ...makeCommit({ seed }).task, name })
  const all = [
    a,
    b,
    makeCommit({ seed: 'lin-1', createdAt: 20, inputs: [a.hash], task: task('clean', 'c1') }),
    makeCommit({ seed: 'lin-2', createdAt: 30, inputs: [a.hash, b.hash], task: task('join', 'c2') }),
    makeCommit({
      seed: 'lin-3',
      createdAt: 30,
      inputs: [a.hash],
      tags: { env: 'prod' },
      task: task('clean', 'c3'),
    }),
    makeCommit({ seed: 'lin-4', createdAt: 40, inputs: [b.hash], task: task('clean', 'c4') }),
    makeCommit({
      seed: 'lin-5',
      createdAt: 50,
      inputs: [a.hash, a.hash],
      status: 'failed',
      task: task('fit', 'c5'),
    }),
    makeCommit({ seed: 'lin-6', createdAt: 60, inputs: [absent], task: task('clean', 'c6') }),
    makeCommit({ seed: 'lin-7', createdAt: 70, task: task('clean', 'c7') }),
  ]
  return { a, b, all }
}

async function putAll(ctx: StoreTestContext, commits: Commit[]): Promise<void> {
  // Out of time order, so a store that lists in insertion order is caught.
  for (const c of [...commits].reverse()) await ctx.store.putCommit(c)
}

/** What `listCommits(query)` must return: the reference filter, newest first, capped. */
function expected(all: Commit[], query: CommitQuery): string[] {
  return hashes(
    all
      .filter((c) => matchesQuery(c, query))
      .sort(compareNewestFirst)
      .slice(0, query.limit),
  )
}

export const lineageCases: Case[] = [
  [
    'lineage: listCommits({ input }) returns exactly the commits that consumed it, newest first',
    async (ctx) => {
      const { a, b, all } = lineageFixture()
      await putAll(ctx, all)
      const consumersOfA = await collect(ctx.store.listCommits({ input: a.hash }))
      deepEqual(hashes(consumersOfA), expected(all, { input: a.hash }), 'consumers of a')
      deepEqual(consumersOfA.length, 4, 'a has four consumers, one of them naming it twice')
      deepEqual(
        hashes(await collect(ctx.store.listCommits({ input: b.hash }))),
        expected(all, { input: b.hash }),
        'consumers of b',
      )
      deepEqual(consumersOfA[0], all[6], 'the consumers come back whole')
    },
  ],
  [
    'lineage: input combines with every other filter and with limit',
    async (ctx) => {
      const { a, b, all } = lineageFixture()
      await putAll(ctx, all)
      const queries: CommitQuery[] = [
        { input: a.hash, func: 'clean' },
        { input: a.hash, status: 'completed' },
        { input: a.hash, status: 'failed' },
        { input: a.hash, tags: { env: 'prod' } },
        { input: a.hash, before: 30 },
        { input: a.hash, before: 31 },
        { input: b.hash, fingerprint: (all[5] as Commit).fingerprint },
        { input: b.hash, fingerprint: (all[2] as Commit).fingerprint },
        { input: a.hash, limit: 2 },
        { input: a.hash, limit: 0 },
        { input: a.hash, func: 'clean', before: 100, limit: 1 },
      ]
      for (const query of queries) {
        deepEqual(
          hashes(await collect(ctx.store.listCommits(query))),
          expected(all, query),
          JSON.stringify(query),
        )
      }
    },
  ],
  [
    'lineage: an input nothing consumed yields nothing; a malformed input is CAIRN_INVALID_ARGUMENT',
    async (ctx) => {
      const { all } = lineageFixture()
      await putAll(ctx, all)
      const leaf = all[8] as Commit
      deepEqual(
        await collect(ctx.store.listCommits({ input: leaf.hash })),
        [],
        'a stored commit nobody consumed',
      )
      deepEqual(await collect(ctx.store.listCommits({ input: sha256Hex('unknown') })), [], 'an unknown hash')
      deepEqual(
        hashes(await collect(ctx.store.listCommits({ input: sha256Hex('lineage: never stored') }))),
        [(all[7] as Commit).hash],
        'a consumer of a commit the store does not hold is still found',
      )
      for (const bad of [leaf.hash.slice(0, 12), leaf.hash.toUpperCase(), 42, '', null]) {
        await expectCode(
          collect(ctx.store.listCommits({ input: bad } as never)),
          ErrorCode.InvalidArgument,
          `input ${JSON.stringify(bad)}`,
        )
      }
    },
  ],
  [
    'lineage: a deleted consumer is no longer listed as one',
    async (ctx) => {
      const { a, all } = lineageFixture()
      await putAll(ctx, all)
      const gone = all[4] as Commit
      await ctx.store.deleteCommit(gone.hash)
      const left = all.filter((c) => c !== gone)
      deepEqual(
        hashes(await collect(ctx.store.listCommits({ input: a.hash }))),
        expected(left, { input: a.hash }),
        'after delete',
      )
      await ctx.store.putCommit(gone)
      deepEqual(
        hashes(await collect(ctx.store.listCommits({ input: a.hash }))),
        expected(all, { input: a.hash }),
        'put back',
      )
    },
  ],
]

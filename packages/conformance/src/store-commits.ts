import { type Commit, ErrorCode, sha256Hex } from '@cairn/core'
import { check, collect, deepEqual, equal, expectCode } from './assert.js'
import { makeCommit, sameCall } from './fixtures.js'
import type { StoreTestContext } from './store-harness.js'

type Case = [name: string, body: (ctx: StoreTestContext) => Promise<void>]

const hashes = (commits: Commit[]) => commits.map((c) => c.hash)
const newestFirst = (commits: Commit[]) =>
  [...commits].sort((a, b) => b.createdAt - a.createdAt || (a.hash < b.hash ? 1 : a.hash > b.hash ? -1 : 0))

export const commitCases: Case[] = [
  [
    'round-trips a commit exactly, idempotently',
    async ({ store }) => {
      const commit = makeCommit({
        seed: 'rt',
        tags: { env: 'prod', ключ: '値 🚀' },
        task: {
          name: 'naïve/計算',
          funcHash: sha256Hex('f'),
          source: 'function f(x) {\n  return x // ✓\n}',
          argsHash: sha256Hex('a'),
          argsPreview: '["x", 1]',
          version: '2',
        },
        output: { kind: 'blob', blob: { hash: sha256Hex('out'), size: 3 }, serializer: 'json' },
        inputs: [sha256Hex('in1'), sha256Hex('in2')],
        parent: sha256Hex('parent'),
      })
      await store.putCommit(commit)
      await store.putCommit(commit)
      deepEqual(await store.getCommit(commit.hash), commit, 'getCommit returns the commit as put')
      equal((await store.stats()).commits, 1, 'a repeated put stores one commit')
      const got = (await store.getCommit(commit.hash)) as Commit
      got.tags.env = 'changed'
      equal((await store.getCommit(commit.hash))?.tags.env, 'prod', 'returned commits are copies')
    },
  ],
  [
    'refuses a commit whose hash does not match its content, or that is malformed',
    async ({ store }) => {
      const commit = makeCommit({ seed: 'bad' })
      await expectCode(
        store.putCommit({ ...commit, durationMs: 2 }),
        ErrorCode.InvalidArgument,
        'tampered field',
      )
      await expectCode(
        store.putCommit({ ...commit, hash: sha256Hex('x') }),
        ErrorCode.InvalidArgument,
        'wrong hash',
      )
      const { task: _task, ...noTask } = commit
      await expectCode(store.putCommit(noTask as Commit), ErrorCode.InvalidArgument, 'missing task')
      await expectCode(store.putCommit(null as unknown as Commit), ErrorCode.InvalidArgument, 'null commit')
      equal((await store.stats()).commits, 0, 'nothing is stored')
      equal(await store.getCommit(commit.hash), undefined, 'the refused commit is absent')
    },
  ],
  [
    'finds commits by unique prefix, refuses ambiguous and malformed prefixes',
    async ({ store }) => {
      const byPrefix = new Map<string, Commit>()
      let pair: [Commit, Commit] | undefined
      for (let i = 0; !pair; i++) {
        const c = makeCommit({ seed: `prefix-${i}` })
        const other = byPrefix.get(c.hash.slice(0, 4))
        if (other) pair = [other, c]
        else byPrefix.set(c.hash.slice(0, 4), c)
      }
      const [a, b] = pair
      await store.putCommit(a)
      equal(
        (await store.getCommit(a.hash.slice(0, 4)))?.hash,
        a.hash,
        'a unique 4-character prefix finds the commit',
      )
      await store.putCommit(b)
      const error = await expectCode(
        store.getCommit(a.hash.slice(0, 4)),
        ErrorCode.Ambiguous,
        'a shared prefix',
      )
      check(error !== undefined, 'ambiguity is an error')
      let common = 4
      while (a.hash[common] === b.hash[common]) common++
      equal(
        (await store.getCommit(a.hash.slice(0, common + 1)))?.hash,
        a.hash,
        'a longer prefix disambiguates',
      )
      equal(
        await store.getCommit(a.hash.slice(0, 4) === '0000' ? 'ffff' : '0000'),
        undefined,
        'an unknown prefix',
      )
      for (const bad of ['abc', 'ABCD', 'xyz1', '', `${a.hash}0`, 42]) {
        await expectCode(
          store.getCommit(bad as string),
          ErrorCode.InvalidArgument,
          `prefix ${JSON.stringify(bad)}`,
        )
      }
    },
  ],
  [
    'findByFingerprint returns the newest completed commit, ignoring failures',
    async ({ store }) => {
      const first = makeCommit({ seed: 'fp1', createdAt: 100 })
      const failedLater = sameCall(first, { seed: 'fp2', createdAt: 300, status: 'failed' })
      const second = sameCall(first, { seed: 'fp3', createdAt: 200 })
      const other = makeCommit({ seed: 'other', createdAt: 400 })
      for (const c of [first, failedLater, second, other]) await store.putCommit(c)
      equal((await store.findByFingerprint(first.fingerprint))?.hash, second.hash, 'newest completed wins')
      equal(
        await store.findByFingerprint(`${sha256Hex('no')}:${sha256Hex('pe')}`),
        undefined,
        'unknown fingerprint',
      )
      const tieA = sameCall(first, { seed: 'tieA', createdAt: 500 })
      const tieB = sameCall(first, { seed: 'tieB', createdAt: 500 })
      await store.putCommit(tieA)
      await store.putCommit(tieB)
      const larger = tieA.hash > tieB.hash ? tieA : tieB
      equal(
        (await store.findByFingerprint(first.fingerprint))?.hash,
        larger.hash,
        'a createdAt tie goes to the larger hash',
      )
      const onlyFailed = makeCommit({ seed: 'onlyfailed', status: 'failed' })
      await store.putCommit(onlyFailed)
      equal(await store.findByFingerprint(onlyFailed.fingerprint), undefined, 'failures are never found')
    },
  ],
  [
    'lists commits newest first with filters and limits',
    async ({ store }) => {
      const commits = [
        makeCommit({
          seed: 'l1',
          createdAt: 10,
          tags: { env: 'prod', team: 'a' },
          task: {
            name: 'load',
            funcHash: sha256Hex('load'),
            source: 's',
            argsHash: sha256Hex('1'),
            argsPreview: '',
          },
        }),
        makeCommit({
          seed: 'l2',
          createdAt: 20,
          tags: { env: 'dev' },
          task: {
            name: 'load',
            funcHash: sha256Hex('load'),
            source: 's',
            argsHash: sha256Hex('2'),
            argsPreview: '',
          },
        }),
        makeCommit({
          seed: 'l3',
          createdAt: 30,
          status: 'failed',
          tags: { env: 'prod' },
          task: {
            name: 'fit',
            funcHash: sha256Hex('fit'),
            source: 's',
            argsHash: sha256Hex('3'),
            argsPreview: '',
          },
        }),
        makeCommit({ seed: 'l4', createdAt: 30, tags: { env: 'prod', team: 'a' } }),
        makeCommit({ seed: 'l5', createdAt: 5 }),
      ]
      for (const c of [...commits].reverse()) await store.putCommit(c)
      const all = newestFirst(commits)
      deepEqual(
        hashes(await collect(store.listCommits())),
        hashes(all),
        'no query: all, newest first (ties by hash desc)',
      )
      deepEqual(
        hashes(await collect(store.listCommits({ func: 'load' }))),
        hashes(all.filter((c) => c.task.name === 'load')),
        'func',
      )
      deepEqual(
        hashes(await collect(store.listCommits({ tags: { env: 'prod', team: 'a' } }))),
        hashes(all.filter((c) => c.tags.env === 'prod' && c.tags.team === 'a')),
        'every tag must match',
      )
      deepEqual(hashes(await collect(store.listCommits({ status: 'failed' }))), [commits[2]!.hash], 'status')
      deepEqual(
        hashes(await collect(store.listCommits({ before: 30 }))),
        hashes(all.filter((c) => c.createdAt < 30)),
        'before is strict',
      )
      deepEqual(
        hashes(await collect(store.listCommits({ fingerprint: commits[1]!.fingerprint }))),
        [commits[1]!.hash],
        'fingerprint',
      )
      equal((await collect(store.listCommits({ limit: 0 }))).length, 0, 'limit 0')
      deepEqual(
        hashes(await collect(store.listCommits({ limit: 2 }))),
        hashes(all.slice(0, 2)),
        'limit 2 takes the newest',
      )
      equal((await collect(store.listCommits({ limit: 100 }))).length, commits.length, 'limit above count')
      deepEqual(
        hashes(await collect(store.listCommits({ func: 'load', before: 20, limit: 5 }))),
        [commits[0]!.hash],
        'filters combine',
      )
      for (const bad of [
        { limit: -1 },
        { limit: 1.5 },
        { before: Number.NaN },
        { status: 'done' },
        { tags: { a: 1 } },
        { func: 3 },
      ]) {
        await expectCode(
          collect(store.listCommits(bad as never)),
          ErrorCode.InvalidArgument,
          `query ${JSON.stringify(bad)}`,
        )
      }
    },
  ],
  [
    'history lists the same call newest first, and deleteCommit removes a commit everywhere',
    async ({ store }) => {
      const a = makeCommit({ seed: 'h1', createdAt: 1 })
      const b = sameCall(a, { seed: 'h2', createdAt: 3, status: 'failed' })
      const c = sameCall(a, { seed: 'h3', createdAt: 2, parent: a.hash })
      const unrelated = makeCommit({ seed: 'h4', createdAt: 4 })
      for (const x of [a, b, c, unrelated]) await store.putCommit(x)
      deepEqual(hashes(await store.history(a.hash)), [b.hash, c.hash, a.hash], 'history order')
      await expectCode(
        store.history(sha256Hex('unknown')),
        ErrorCode.NotFound,
        'history of an unknown commit',
      )
      await store.deleteCommit(c.hash)
      await store.deleteCommit(c.hash)
      equal(await store.getCommit(c.hash), undefined, 'deleted commit is gone')
      equal(
        await store.findByFingerprint(a.fingerprint).then((x) => x?.hash),
        a.hash,
        'fingerprint lookup forgets it',
      )
      deepEqual(hashes(await store.history(a.hash)), [b.hash, a.hash], 'history forgets it')
      check(!hashes(await collect(store.listCommits())).includes(c.hash), 'listing forgets it')
      equal((await store.stats()).commits, 3, 'stats forget it')
    },
  ],
  [
    'deletes many commits at once when it offers deleteCommits',
    async ({ store }) => {
      if (!store.deleteCommits) return // optional method: nothing to check
      const commits = Array.from({ length: 5 }, (_, i) => makeCommit({ seed: `batch-${i}`, createdAt: i }))
      for (const c of commits) await store.putCommit(c)
      await expectCode(
        store.deleteCommits([commits[0]!.hash, 'not-a-hash']),
        ErrorCode.InvalidArgument,
        'a malformed hash in the batch',
      )
      equal((await store.stats()).commits, 5, 'a refused batch deletes nothing')
      await store.deleteCommits([commits[0]!.hash, commits[1]!.hash, commits[1]!.hash, sha256Hex('absent')])
      deepEqual(
        hashes(await collect(store.listCommits())),
        [commits[4]!.hash, commits[3]!.hash, commits[2]!.hash],
        'the rest remain',
      )
      equal(
        await store.findByFingerprint(commits[0]!.fingerprint),
        undefined,
        'fingerprint lookup forgets them',
      )
      await store.deleteCommits([])
    },
  ],
]

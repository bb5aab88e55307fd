import { ErrorCode, type Store, sha256Hex } from '@cairn/core'
import { check, collect, deepEqual, equal, expectCode } from './assert.js'
import { makeCommit } from './fixtures.js'
import type { StoreTestContext } from './store-harness.js'

type Case = [
  name: string,
  body: (ctx: StoreTestContext) => Promise<void>,
  needs?: 'persistent' | 'quarantine',
]

const BAD_HASHES: unknown[] = [
  'A'.repeat(64),
  'a'.repeat(63),
  'g'.repeat(64),
  `${'a'.repeat(64)} `,
  '',
  42,
  null,
  undefined,
]
const BAD_REF_NAMES: unknown[] = [
  '',
  '..',
  '../escape',
  'a/../../b',
  './a',
  'a/.',
  '/leading',
  'trailing/',
  'double//slash',
  'back\\slash',
  'nul\u0000byte',
  'tab\tname',
  'del\u007f',
  'esc\u001b[31m',
  '__proto__',
  'a/__proto__/b',
  'constructor',
  'x/prototype',
  'x'.repeat(513),
  'lone\ud800surrogate',
  42,
  null,
]

async function snapshot(store: Store) {
  return { stats: await store.stats(), refs: await collect(store.listRefs('')) }
}

export const safetyCases: Case[] = [
  [
    'refuses malformed hashes everywhere with CAIRN_INVALID_ARGUMENT',
    async ({ store }) => {
      await store.putBlob(new Uint8Array([1]))
      const before = await snapshot(store)
      for (const bad of BAD_HASHES) {
        const h = bad as string
        const label = JSON.stringify(bad) ?? String(bad)
        await expectCode(store.getBlob(h), ErrorCode.InvalidArgument, `getBlob(${label})`)
        await expectCode(collect(store.openBlob(h)), ErrorCode.InvalidArgument, `openBlob(${label})`)
        await expectCode(store.hasBlob(h), ErrorCode.InvalidArgument, `hasBlob(${label})`)
        await expectCode(store.deleteBlob(h), ErrorCode.InvalidArgument, `deleteBlob(${label})`)
        await expectCode(store.history(h), ErrorCode.InvalidArgument, `history(${label})`)
        await expectCode(store.deleteCommit(h), ErrorCode.InvalidArgument, `deleteCommit(${label})`)
        if (bad !== undefined) {
          await expectCode(
            store.putBlob(new Uint8Array([2]), { expectedHash: h }),
            ErrorCode.InvalidArgument,
            `expectedHash ${label}`,
          )
        }
      }
      deepEqual(await snapshot(store), before, 'nothing changed')
    },
  ],
  [
    'refuses dangerous ref names and values, changing nothing and polluting nothing',
    async ({ store }) => {
      await store.setRef('ok', 'v')
      const before = await snapshot(store)
      for (const bad of BAD_REF_NAMES) {
        const n = bad as string
        const label = JSON.stringify(bad)
        await expectCode(store.setRef(n, 'x'), ErrorCode.InvalidArgument, `setRef(${label})`)
        await expectCode(store.getRef(n), ErrorCode.InvalidArgument, `getRef(${label})`)
      }
      for (const badValue of [42, {}, 'lone\udc00']) {
        await expectCode(
          store.setRef('ok', badValue as string),
          ErrorCode.InvalidArgument,
          `value ${JSON.stringify(badValue)}`,
        )
      }
      await expectCode(
        store.setRef('ok', 'y', 42 as never),
        ErrorCode.InvalidArgument,
        'a non-string expected value',
      )
      await expectCode(collect(store.listRefs(42 as never)), ErrorCode.InvalidArgument, 'a non-string prefix')
      await expectCode(store.putBlob('not bytes' as never), ErrorCode.InvalidArgument, 'putBlob of a string')
      deepEqual(await snapshot(store), before, 'nothing changed')
      equal(({} as Record<string, unknown>).polluted, undefined, 'Object.prototype is untouched')
    },
  ],
  [
    'honours an aborted signal before changing anything',
    async ({ store }) => {
      await store.putBlob(new Uint8Array([1]))
      const commit = makeCommit({ seed: 'abort' })
      await store.putCommit(commit)
      await store.setRef('r', 'v')
      const before = await snapshot(store)
      const controller = new AbortController()
      controller.abort(new Error('stop'))
      const signal = controller.signal
      const other = sha256Hex(new Uint8Array([1]))
      await expectCode(store.putBlob(new Uint8Array([9]), { signal }), ErrorCode.Aborted, 'putBlob')
      await expectCode(store.getBlob(other, { signal }), ErrorCode.Aborted, 'getBlob')
      await expectCode(store.deleteBlob(other, { signal }), ErrorCode.Aborted, 'deleteBlob')
      await expectCode(
        store.putCommit(makeCommit({ seed: 'abort2' }), { signal }),
        ErrorCode.Aborted,
        'putCommit',
      )
      await expectCode(store.deleteCommit(commit.hash, { signal }), ErrorCode.Aborted, 'deleteCommit')
      await expectCode(store.setRef('r', 'w', undefined, { signal }), ErrorCode.Aborted, 'setRef')
      await expectCode(collect(store.listCommits({}, { signal })), ErrorCode.Aborted, 'listCommits')
      deepEqual(await snapshot(store), before, 'nothing changed')
    },
  ],
  [
    'refuses every call after close with CAIRN_CLOSED, and closes twice',
    async ({ store }) => {
      const { hash } = await store.putBlob(new Uint8Array([1]))
      await store.close()
      await store.close()
      const calls: [string, () => Promise<unknown>][] = [
        ['putBlob', () => store.putBlob(new Uint8Array([2]))],
        ['getBlob', () => store.getBlob(hash)],
        ['openBlob', () => collect(store.openBlob(hash))],
        ['hasBlob', () => store.hasBlob(hash)],
        ['deleteBlob', () => store.deleteBlob(hash)],
        ['listBlobs', () => collect(store.listBlobs())],
        ['putCommit', () => store.putCommit(makeCommit())],
        ['getCommit', () => store.getCommit(hash)],
        ['findByFingerprint', () => store.findByFingerprint(`${hash}:${hash}`)],
        ['listCommits', () => collect(store.listCommits())],
        ['history', () => store.history(hash)],
        ['deleteCommit', () => store.deleteCommit(hash)],
        ['getRef', () => store.getRef('a')],
        ['setRef', () => store.setRef('a', 'b')],
        ['listRefs', () => collect(store.listRefs(''))],
        ['stats', () => store.stats()],
      ]
      for (const [name, call] of calls) await expectCode(call(), ErrorCode.Closed, `${name} after close`)
    },
  ],
  [
    'counts blobs, bytes, commits and refs',
    async ({ store }) => {
      await store.putBlob(new Uint8Array(10))
      await store.putBlob(new Uint8Array(5))
      await store.putBlob(new Uint8Array(5))
      await store.putCommit(makeCommit({ seed: 's1' }))
      await store.setRef('a', '1')
      await store.setRef('b/c', '2')
      deepEqual(await store.stats(), { blobs: 2, blobBytes: 15, commits: 1, refs: 2 }, 'stats')
    },
  ],
  [
    'keeps blobs, commits and refs across a reopen',
    async ({ store, harness }) => {
      const { hash } = await store.putBlob(new Uint8Array([4, 5, 6]))
      const commit = makeCommit({ seed: 'persist' })
      await store.putCommit(commit)
      await store.setRef('p/q', 'r')
      await store.close()
      const reopened = await harness.reopen!()
      try {
        deepEqual(await reopened.getBlob(hash), new Uint8Array([4, 5, 6]), 'blob after reopen')
        deepEqual(await reopened.getCommit(commit.hash), commit, 'commit after reopen')
        equal(
          (await reopened.findByFingerprint(commit.fingerprint))?.hash,
          commit.hash,
          'fingerprint index after reopen',
        )
        equal(await reopened.getRef('p/q'), 'r', 'ref after reopen')
      } finally {
        await reopened.close()
      }
    },
    'persistent',
  ],
  [
    'quarantines a blob out of the addressable space',
    async ({ store }) => {
      const { hash } = await store.putBlob(new Uint8Array([7, 7]))
      check(store.quarantineBlob !== undefined, 'quarantineBlob exists when capabilities.quarantine')
      await store.quarantineBlob!(hash)
      check(!(await store.hasBlob(hash)), 'hasBlob is false after quarantine')
      await expectCode(store.getBlob(hash), ErrorCode.NotFound, 'getBlob after quarantine')
      await store.quarantineBlob!(hash)
    },
    'quarantine',
  ],
]

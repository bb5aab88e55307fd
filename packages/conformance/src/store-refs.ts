import { ErrorCode } from '@cairn/core'
import { check, collect, deepEqual, equal } from './assert.js'
import type { StoreTestContext } from './store-harness.js'

type Case = [name: string, body: (ctx: StoreTestContext) => Promise<void>, needs?: 'crossProcessCas']

export const refCases: Case[] = [
  [
    'sets, reads, overwrites and deletes refs, with compare-and-swap',
    async ({ store, harness }) => {
      equal(await store.getRef('registry/x/latest'), undefined, 'an absent ref')
      equal(await store.setRef('registry/x/latest', 'v1'), true, 'unconditional set')
      equal(await store.getRef('registry/x/latest'), 'v1', 'read back')
      if (harness.oracle?.readRef)
        equal(await harness.oracle.readRef('registry/x/latest'), 'v1', 'what landed')
      equal(await store.setRef('registry/x/latest', 'v2'), true, 'unconditional overwrite')
      equal(
        await store.setRef('registry/x/latest', 'v3', null),
        false,
        'expected-absent on a present ref fails',
      )
      equal(await store.getRef('registry/x/latest'), 'v2', 'a failed CAS changes nothing')
      equal(await store.setRef('registry/x/latest', 'v3', 'v1'), false, 'a stale expected value fails')
      equal(await store.setRef('registry/x/latest', 'v3', 'v2'), true, 'a matching expected value wins')
      equal(await store.getRef('registry/x/latest'), 'v3', 'CAS result')
      equal(await store.setRef('fresh', 'a', null), true, 'expected-absent on an absent ref wins')
      equal(await store.setRef('fresh', undefined, 'b'), false, 'conditional delete with a stale value fails')
      equal(await store.getRef('fresh'), 'a', 'still there')
      equal(await store.setRef('fresh', undefined, 'a'), true, 'conditional delete')
      equal(await store.getRef('fresh'), undefined, 'deleted')
      equal(await store.setRef('registry/x/latest', undefined), true, 'unconditional delete')
      equal(await store.setRef('registry/x/latest', undefined), true, 'deleting an absent ref is fine')
      equal(await store.setRef('empty-value', ''), true, 'the empty string is a value')
      equal(await store.getRef('empty-value'), '', 'the empty string reads back')
    },
  ],
  [
    'lists refs by prefix in name order, with unicode names',
    async ({ store }) => {
      const names = ['datasets/données/日本語/🚀', 'datasets/a', 'datasets/b/c', 'datasetsX', 'leases/x', 'Z']
      for (const [i, n] of names.entries()) await store.setRef(n, `value-${i}`)
      const all = await collect(store.listRefs(''))
      deepEqual(
        all.map(([n]) => n),
        [...names].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
        'listRefs("") lists every ref in code-unit order',
      )
      deepEqual(
        (await collect(store.listRefs('datasets/'))).map(([n]) => n),
        ['datasets/a', 'datasets/b/c', 'datasets/données/日本語/🚀'],
        'prefix filter',
      )
      equal(await store.getRef('datasets/données/日本語/🚀'), 'value-0', 'unicode name round trip')
      deepEqual(await collect(store.listRefs('nothing/')), [], 'an unmatched prefix')
    },
  ],
  [
    'lets exactly one of many concurrent compare-and-swaps win',
    async ({ store, options }) => {
      const n = options.concurrency
      const created = await Promise.all(
        Array.from({ length: n }, (_, i) => store.setRef('race/absent', `w${i}`, null)),
      )
      equal(created.filter(Boolean).length, 1, 'one winner among expected-absent sets')
      equal(await store.getRef('race/absent'), `w${created.indexOf(true)}`, 'the winner’s value is stored')
      await store.setRef('race/present', 'start')
      const swapped = await Promise.all(
        Array.from({ length: n }, (_, i) => store.setRef('race/present', `s${i}`, 'start')),
      )
      equal(swapped.filter(Boolean).length, 1, 'one winner among same-expected swaps')
      equal(await store.getRef('race/present'), `s${swapped.indexOf(true)}`, 'the winner’s value is stored')
      check(ErrorCode.Conflict === 'CAIRN_CONFLICT', 'codes are stable')
    },
  ],
]

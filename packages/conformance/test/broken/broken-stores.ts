import {
  type Commit,
  ErrorCode,
  type Hash,
  isCairnError,
  type OpOptions,
  type Store,
  sha256Hex,
} from '@cairn/core'

/** A Store that forwards to `inner` except for the methods given: each broken store breaks one rule. */
function override(inner: Store, methods: Partial<Store>): Store {
  return new Proxy(inner, {
    get(target, key, receiver) {
      if (key in methods) return (methods as Record<PropertyKey, unknown>)[key]
      const value = Reflect.get(target, key, receiver)
      return typeof value === 'function' ? value.bind(target) : value
    },
  })
}

/** Reads straight from an oracle-visible map without checking the hash. */
export type RawBlobs = Map<string, Uint8Array>

export const brokenStores: Record<string, { breaks: string; wrap(inner: Store, raw: RawBlobs): Store }> = {
  unverifiedGet: {
    breaks: 'getBlob returns bytes without verifying them',
    wrap: (inner, raw) =>
      override(inner, {
        async getBlob(hash: Hash) {
          const bytes = raw.get(hash)
          if (!bytes) return inner.getBlob(hash)
          return bytes.slice()
        },
      }),
  },
  unverifiedStream: {
    breaks: 'openBlob streams bytes and never checks them',
    wrap: (inner, raw) =>
      override(inner, {
        openBlob(hash: Hash, opts?: { start?: number; end?: number }) {
          const bytes = raw.get(hash)
          if (!bytes) return inner.openBlob(hash, opts)
          return (async function* () {
            yield bytes.slice(opts?.start ?? 0, opts?.end ?? bytes.byteLength)
          })()
        },
      }),
  },
  racyCas: {
    breaks: 'setRef compares and sets in two steps with an await between',
    wrap: (inner) =>
      override(inner, {
        async setRef(name: string, value: string | undefined, expected?: string | null, opts?: OpOptions) {
          const current = await inner.getRef(name, opts)
          await new Promise((r) => setImmediate(r))
          if (expected === null && current !== undefined) return false
          if (typeof expected === 'string' && current !== expected) return false
          return inner.setRef(name, value, undefined, opts)
        },
      }),
  },
  oldestFirst: {
    breaks: 'listCommits returns the oldest first',
    wrap: (inner) =>
      override(inner, {
        async *listCommits(query, opts) {
          const all: Commit[] = []
          for await (const c of inner.listCommits({ ...query, limit: undefined }, opts)) all.push(c)
          yield* all.reverse().slice(0, query?.limit ?? all.length)
        },
      }),
  },
  ignoresInput: {
    breaks: 'listCommits ignores the input filter',
    wrap: (inner) =>
      override(inner, {
        listCommits(query, opts) {
          const { input: _input, ...rest } = query ?? {}
          return inner.listCommits(rest, opts)
        },
      }),
  },
  servesFailures: {
    breaks: 'findByFingerprint returns the newest commit even if it failed',
    wrap: (inner) =>
      override(inner, {
        async findByFingerprint(fingerprint: string, opts?: OpOptions) {
          for await (const c of inner.listCommits({ fingerprint, limit: 1 }, opts)) return c
          return undefined
        },
      }),
  },
  strictDelete: {
    breaks: 'deleteBlob throws when the blob is absent',
    wrap: (inner) =>
      override(inner, {
        async deleteBlob(hash: Hash, opts?: OpOptions) {
          if (!(await inner.hasBlob(hash, opts))) throw new Error(`no blob ${hash}`)
          return inner.deleteBlob(hash, opts)
        },
      }),
  },
  ignoresAbort: {
    breaks: 'putBlob ignores its abort signal',
    wrap: (inner) =>
      override(inner, {
        putBlob(data: Uint8Array | AsyncIterable<Uint8Array>) {
          return inner.putBlob(data)
        },
      }),
  },
  acceptsTraversal: {
    breaks: 'setRef accepts names with ".." (it stores them under a mangled name)',
    wrap: (inner) =>
      override(inner, {
        setRef(name: string, value: string | undefined, expected?: string | null, opts?: OpOptions) {
          return inner.setRef(
            name.includes('..') ? `mangled/${sha256Hex(name).slice(0, 8)}` : name,
            value,
            expected,
            opts,
          )
        },
      }),
  },
  worksAfterClose: {
    breaks: 'getRef keeps working after close',
    wrap: (inner) =>
      override(inner, {
        async getRef(name: string, opts?: OpOptions) {
          try {
            return await inner.getRef(name, opts)
          } catch (error) {
            if (isCairnError(error, ErrorCode.Closed)) return undefined
            throw error
          }
        },
      }),
  },
}

import { CairnError, ErrorCode } from '../errors.js'
import type { Store } from '../protocols/store.js'

/** The part of `@cairn/fs` the default store needs (core's optional peer; see `fs-peer.d.ts`). */
export interface FsModule {
  FsStore: { open(options: { root: string }): Promise<Store> }
}

const FS_PACKAGE = '@cairn/fs'

/**
 * The store `new Cairn()` uses when none is given: `FsStore` in `root` (default `.cairn`), from
 * `@cairn/fs`, core's declared optional peer. Not installed: `CAIRN_MISSING_PACKAGE` saying how to
 * install it (never a silent in-memory cache that forgets everything on exit).
 */
export async function openDefaultStore(
  root = '.cairn',
  importFs: () => Promise<FsModule> = () => import('@cairn/fs') as Promise<FsModule>,
): Promise<Store> {
  let fsModule: FsModule
  try {
    fsModule = await importFs()
  } catch (error) {
    if (isMissingPackage(error)) throw fsNotInstalled(error)
    throw error
  }
  return fsModule.FsStore.open({ root })
}

export function isMissingPackage(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown }
  return (
    (e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') &&
    typeof e.message === 'string' &&
    // Quoted: "Cannot find package '@cairn/fs'", not a missing dependency *of* @cairn/fs, whose
    // message merely contains the package's path.
    e.message.includes(`'${FS_PACKAGE}'`)
  )
}

function fsNotInstalled(cause: unknown): CairnError {
  return new CairnError(
    ErrorCode.MissingPackage,
    'new Cairn() without a `store` keeps results in FsStore, from @cairn/fs, which is not installed: ' +
      'run `pnpm add @cairn/fs` (or `npm install @cairn/fs`), or pass a store, e.g. `new Cairn({ store: new MemoryStore() })`',
    { cause, details: { package: FS_PACKAGE, install: `pnpm add ${FS_PACKAGE}` } },
  )
}

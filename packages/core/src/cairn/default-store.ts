import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { MemoryStore } from '../memory-store.js'
import type { Store } from '../protocols/store.js'

// A variable specifier keeps bundlers and tsc from treating @cairn/fs as a dependency of core.
const FS_PACKAGE = '@cairn/fs'

export interface FsModule {
  FsStore?: { open(options: { root: string }): Promise<Store> }
}

/**
 * `FsStore` in `root` (default `.cairn`) when `@cairn/fs` is installed, else a `MemoryStore`.
 * Only "the package is not installed" falls back; any other failure to load it is thrown.
 */
export async function openDefaultStore(
  root = '.cairn',
  importFs: () => Promise<FsModule | undefined> = importFsPackage,
): Promise<Store> {
  const fsModule = await importFs()
  if (!fsModule?.FsStore) return new MemoryStore()
  return fsModule.FsStore.open({ root })
}

/**
 * Looks for `@cairn/fs` beside core first, then from the working directory: with pnpm's strict
 * layout an application's own dependency is not visible from inside core's folder.
 */
export async function importFsPackage(): Promise<FsModule | undefined> {
  try {
    return (await import(FS_PACKAGE)) as FsModule
  } catch (error) {
    if (!isMissingPackage(error)) throw error
  }
  let resolved: string
  try {
    resolved = createRequire(join(process.cwd(), 'noop.js')).resolve(FS_PACKAGE)
  } catch (error) {
    if (isMissingPackage(error)) return undefined
    throw error
  }
  return (await import(pathToFileURL(resolved).href)) as FsModule
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

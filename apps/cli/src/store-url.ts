import { existsSync, readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import type { Store } from '@cairn/core'
import { UsageError } from './usage.js'

type Opener = (url: URL, mod: Record<string, any>, create: boolean) => Promise<Store>

/**
 * The store packages by URL scheme. Only installed ones can be opened. `create: false` opens an
 * existing fs or sqlite store only; a redis or s3 store "exists" when its server (and bucket) answer,
 * since an empty prefix there is indistinguishable from an empty store and creating it writes nothing.
 */
const SCHEMES: Record<string, { pkg: string; open: Opener }> = {
  fs: { pkg: '@cairn/fs', open: (url, mod, create) => mod.FsStore.open({ root: fsPath(url), create }) },
  sqlite: {
    pkg: '@cairn/sqlite',
    open: (url, mod, create) => mod.SqliteStore.open({ path: fsPath(url), create }),
  },
  redis: { pkg: '@cairn/redis', open: (url, mod) => mod.RedisStore.open({ url: url.href }) },
  s3: { pkg: '@cairn/s3', open: (url, mod) => mod.S3Store.open({ url: url.href }) },
}

export const CONFIG_FILE = 'cairn.config.json'
export const DEFAULT_STORE = 'fs://.cairn'

/** `fs://.cairn` and `fs:///abs/path`: a relative path after the scheme is relative to the working directory. */
function fsPath(url: URL): string {
  const raw = url.href.slice(url.protocol.length + 2)
  return resolve(decodeURIComponent(raw === '' ? '.cairn' : raw))
}

/** Which store URL applies: `--store`, then `CAIRN_STORE`, then `cairn.config.json`, then `fs://.cairn`. */
export function storeUrl(
  flag: string | undefined,
  cwd: string = process.cwd(),
): { url: string; source: string } {
  if (flag) return { url: flag, source: '--store' }
  if (process.env.CAIRN_STORE) return { url: process.env.CAIRN_STORE, source: 'CAIRN_STORE' }
  const config = join(cwd, CONFIG_FILE)
  if (existsSync(config)) {
    let parsed: { store?: unknown }
    try {
      parsed = JSON.parse(readFileSync(config, 'utf8'))
    } catch {
      throw new UsageError(`${CONFIG_FILE} is not valid JSON`)
    }
    if (typeof parsed.store !== 'string') throw new UsageError(`${CONFIG_FILE} needs a "store" string`)
    return { url: parsed.store, source: CONFIG_FILE }
  }
  return { url: DEFAULT_STORE, source: 'default' }
}

/** Opens the store a URL names; with `create: false` (every command but init) an existing one only. */
export async function openStore(urlText: string, options: { create: boolean }): Promise<Store> {
  let url: URL
  try {
    url = new URL(urlText)
  } catch {
    throw new UsageError(`not a store URL: ${urlText} (try fs://.cairn)`)
  }
  const scheme = url.protocol.replace(/:$/, '')
  const entry = SCHEMES[scheme]
  if (!entry) {
    throw new UsageError(`unknown store scheme "${scheme}"; known: ${Object.keys(SCHEMES).join(', ')}`)
  }
  let mod: Record<string, any>
  try {
    mod = await import(entry.pkg)
  } catch (error) {
    const e = error as { code?: string; message?: string }
    if (e.code === 'ERR_MODULE_NOT_FOUND' && e.message?.includes(`'${entry.pkg}'`)) {
      throw new MissingPackageError(
        `store scheme ${scheme}:// needs the package ${entry.pkg}; install it with: pnpm add ${entry.pkg}`,
      )
    }
    throw error
  }
  return entry.open(url, mod, options.create)
}

export class MissingPackageError extends Error {
  override name = 'MissingPackageError'
}

import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { CairnError, ErrorCode, invalidArgument, notFound } from '@cairn/core'
import { replaceFile, syncDir } from './durable.js'
import { errno, ioError } from './io-errors.js'

/** The on-disk format this build reads and writes. */
export const LAYOUT: { readonly format: 'cairn-fs'; readonly version: 1 } = { format: 'cairn-fs', version: 1 }

export interface Paths {
  root: string
  layout: string
  blobs: string
  tmp: string
  quarantine: string
  refs: string
  locks: string
  log: string
}

export function pathsFor(root: string): Paths {
  return {
    root,
    layout: join(root, 'layout.json'),
    blobs: join(root, 'blobs', 'sha256'),
    tmp: join(root, 'tmp'),
    quarantine: join(root, 'quarantine'),
    refs: join(root, 'refs'),
    locks: join(root, 'locks'),
    log: join(root, 'commits.log'),
  }
}

/** `blobs/sha256/<first two hex>/<hash>`: 256 shard directories. */
export function blobPath(paths: Paths, hash: string): string {
  return join(paths.blobs, hash.slice(0, 2), hash)
}

function makeDirs(paths: Paths): void {
  for (const dir of [paths.blobs, paths.tmp, paths.quarantine, paths.refs, paths.locks]) {
    try {
      mkdirSync(dir, { recursive: true })
    } catch (error) {
      throw ioError('creating', dir, error)
    }
  }
}

/** What a creation that has not reached `layout.json` yet (or crashed before it) leaves in a root. */
const CREATION_NAMES = new Set(['blobs', 'tmp', 'quarantine', 'refs', 'locks', 'commits.log'])

/**
 * Whether a root without `layout.json` may become a store: it is missing or empty, or holds only
 * what an unfinished creation leaves (another process creating it right now, or one that crashed),
 * with an empty commit log. Anything else is someone else's directory.
 */
function isFreeForCreation(paths: Paths): boolean {
  let names: string[]
  try {
    names = readdirSync(paths.root)
  } catch (error) {
    if (errno(error) === 'ENOENT') return true
    throw ioError('listing', paths.root, error)
  }
  if (!names.every((name) => CREATION_NAMES.has(name))) return false
  if (!names.includes('commits.log')) return true
  try {
    return statSync(paths.log).size === 0
  } catch (error) {
    throw ioError('checking', paths.log, error)
  }
}

/**
 * Opens the layout, creating it on first use when `create` is true (directories, an empty commit log,
 * then `layout.json` last, so a root with a layout file is complete). Refuses a root written by an
 * unknown format or version, and a non-empty directory that is not a Cairn store, writing nothing.
 */
export async function ensureLayout(paths: Paths, create = true): Promise<void> {
  let text: string | undefined
  try {
    text = readFileSync(paths.layout, 'utf8')
  } catch (error) {
    if (errno(error) !== 'ENOENT') throw ioError('reading', paths.layout, error)
  }
  if (text !== undefined) {
    checkLayout(paths, text)
    makeDirs(paths) // a directory removed by hand (say, an emptied tmp/) is recreated
    return
  }
  if (!create) {
    throw notFound(
      `no Cairn store at ${paths.root} (no ${paths.layout}); \`cairn init\` or a write creates one`,
      {
        root: paths.root,
      },
    )
  }
  if (!isFreeForCreation(paths)) {
    throw invalidArgument(
      `${paths.root} is not empty and is not a Cairn store (no layout.json); ` +
        'a store is created only in an empty or missing directory',
      { root: paths.root },
    )
  }
  makeDirs(paths)
  try {
    closeSync(openSync(paths.log, 'a'))
  } catch (error) {
    throw ioError('creating', paths.log, error)
  }
  await syncDir(join(paths.root, 'blobs'))
  await syncDir(paths.root)
  // Several processes may create the same root at once: each renames an identical file into place.
  await replaceFile(paths.layout, paths.tmp, new TextEncoder().encode(`${JSON.stringify(LAYOUT)}\n`))
}

function checkLayout(paths: Paths, text: string): void {
  let layout: { format?: unknown; version?: unknown }
  try {
    layout = JSON.parse(text)
  } catch (cause) {
    throw new CairnError(ErrorCode.Corrupt, `${paths.layout} is not valid JSON`, { cause })
  }
  if (layout?.format !== LAYOUT.format || layout.version !== LAYOUT.version) {
    const newer =
      layout?.format === LAYOUT.format &&
      typeof layout.version === 'number' &&
      layout.version > LAYOUT.version
    throw new CairnError(
      ErrorCode.Unsupported,
      `${paths.root} holds ${String(layout?.format)} version ${String(layout?.version)}; this @cairn/fs ` +
        `reads ${LAYOUT.format} version ${LAYOUT.version}${newer ? ' (upgrade @cairn/fs to open it)' : ''}`,
      { details: { root: paths.root, layout, supported: LAYOUT } },
    )
  }
}

import { CairnError, ErrorCode, invalidArgument } from '../errors.js'
import type { Packager } from '../protocols/packager.js'
import { bytesPackager } from './bytes.js'
import { ndarrayPackager } from './ndarray.js'
import { objectPackager } from './object.js'
import { textPackager } from './text.js'

/** The packagers every client has, in registration order. */
export const BUILTIN_PACKAGERS: readonly Packager<any>[] = [
  bytesPackager,
  ndarrayPackager,
  textPackager,
  objectPackager,
]

/** Chooses the packager for a value and finds the one an artifact names. */
export class PackagerRegistry {
  /** User packagers first, so they win ties with built-ins. */
  readonly #ordered: Packager<any>[]
  readonly #byId = new Map<string, Packager<any>>()

  constructor(userPackagers: readonly Packager<any>[] = []) {
    for (const p of userPackagers) {
      assertPackager(p)
      if (this.#byId.has(p.id)) throw invalidArgument(`two packagers have the id "${p.id}"`, { id: p.id })
      this.#byId.set(p.id, p)
    }
    // A user packager with a built-in's id replaces it, for packing and unpacking alike (otherwise
    // the built-in could pack artifacts that the replacement is then asked to unpack).
    const builtins = BUILTIN_PACKAGERS.filter((p) => !this.#byId.has(p.id))
    for (const p of builtins) this.#byId.set(p.id, p)
    this.#ordered = [...userPackagers, ...builtins]
  }

  /**
   * The highest-priority packager that handles `value`; ties go to the earlier one. Nothing handles
   * it only when the default was replaced by one that declines it: `CAIRN_UNSERIALIZABLE`.
   */
  select(value: unknown): Packager<any> {
    let best: Packager<any> | undefined
    for (const p of this.#ordered) {
      if ((best === undefined || p.priority > best.priority) && accepts(p, value)) best = p
    }
    if (best === undefined) {
      throw new CairnError(ErrorCode.Unserializable, `no packager handles this ${describe(value)}`)
    }
    return best
  }

  get(id: string): Packager<any> {
    const p = this.#byId.get(id)
    if (!p) {
      throw new CairnError(
        ErrorCode.Unsupported,
        `output was packed by packager "${id}", which this client does not have; pass it in options.packagers`,
        { details: { packager: id } },
      )
    }
    return p
  }
}

function describe(value: unknown): string {
  if (value === null || typeof value !== 'object') return typeof value
  return (value as object).constructor?.name ?? 'object'
}

function accepts(p: Packager<any>, value: unknown): boolean {
  if (p.types !== undefined) {
    if (value === null || typeof value !== 'object') return false
    const proto = Object.getPrototypeOf(value)
    const typed = p.types.some((cls) => (p.subclasses ? value instanceof cls : proto === cls.prototype))
    if (!typed) return false
  }
  return p.handles === undefined ? p.types !== undefined : p.handles(value)
}

function assertPackager(p: unknown): asserts p is Packager<any> {
  const q = p as Packager<any>
  const ok =
    q !== null &&
    typeof q === 'object' &&
    typeof q.id === 'string' &&
    /^[a-z0-9][a-z0-9._/-]*$/i.test(q.id) &&
    typeof q.version === 'string' &&
    typeof q.priority === 'number' &&
    Number.isFinite(q.priority) &&
    typeof q.pack === 'function' &&
    typeof q.unpack === 'function' &&
    (q.types !== undefined || typeof q.handles === 'function') &&
    (q.types === undefined || (Array.isArray(q.types) && q.types.every((c) => typeof c === 'function'))) &&
    (q.handles === undefined || typeof q.handles === 'function') &&
    validArtifactTypes(q.artifactTypes)
  if (!ok) {
    throw invalidArgument(
      'a packager needs an id (letters, digits, . _ / -), a version, a finite priority, artifactTypes { pack, unpack }, pack, unpack, and types or handles',
      { id: (q as { id?: unknown })?.id },
    )
  }
}

function validArtifactTypes(types: unknown): boolean {
  const t = types as Packager['artifactTypes'] | undefined
  const list = (l: unknown) => Array.isArray(l) && l.every((x) => typeof x === 'string' && x.length > 0)
  return typeof t === 'object' && t !== null && list(t.pack) && list(t.unpack)
}

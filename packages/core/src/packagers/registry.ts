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
    for (const p of userPackagers) assertPackager(p)
    this.#ordered = [...userPackagers, ...BUILTIN_PACKAGERS]
    for (const p of this.#ordered) {
      if (this.#byId.has(p.id)) {
        if (!BUILTIN_PACKAGERS.includes(p))
          throw invalidArgument(`two packagers have the id "${p.id}"`, { id: p.id })
        continue // a user packager with a built-in's id replaces it for unpacking too
      }
      this.#byId.set(p.id, p)
    }
  }

  /** The highest-priority packager that handles `value`; ties go to the earlier one. */
  select(value: unknown): Packager<any> {
    let best: Packager<any> | undefined
    for (const p of this.#ordered) {
      if ((best === undefined || p.priority > best.priority) && accepts(p, value)) best = p
    }
    return best ?? objectPackager
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
    Number.isFinite(q.priority) &&
    typeof q.pack === 'function' &&
    typeof q.unpack === 'function' &&
    (q.types !== undefined || typeof q.handles === 'function')
  if (!ok) {
    throw invalidArgument(
      'a packager needs an id (letters, digits, . _ / -), a version, a numeric priority, pack, unpack, and types or handles',
      { id: (q as { id?: unknown })?.id },
    )
  }
}

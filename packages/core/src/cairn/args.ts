import type { Hash } from '../hash.js'
import { isResultRef, type ResultRef } from './result-ref.js'

/** Every ResultRef inside the arguments (top level, and nested in arrays, plain objects, Maps and Sets). */
export function collectResultRefs(args: readonly unknown[]): ResultRef[] {
  const found: ResultRef[] = []
  const seen = new Set<object>()
  const visit = (value: unknown): void => {
    if (typeof value !== 'object' || value === null || seen.has(value)) return
    seen.add(value)
    if (isResultRef(value)) {
      found.push(value)
      return
    }
    if (Array.isArray(value)) value.forEach(visit)
    else if (value instanceof Map) {
      for (const [k, v] of value) {
        visit(k)
        visit(v)
      }
    } else if (value instanceof Set) value.forEach(visit)
    else if (isPlainObject(value)) Object.values(value).forEach(visit)
  }
  args.forEach(visit)
  return found
}

/** The arguments with every ResultRef replaced by its loaded value (containers are copied, never mutated). */
export async function resolveResultRefs(args: readonly unknown[]): Promise<unknown[]> {
  const refs = collectResultRefs(args)
  if (refs.length === 0) return [...args]
  const values = new Map<ResultRef, unknown>()
  await Promise.all(
    refs.map(async (ref) => {
      values.set(ref, await ref.load())
    }),
  )
  const copy = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value
    if (isResultRef(value)) return values.get(value)
    if (Array.isArray(value)) return value.map(copy)
    if (value instanceof Map) return new Map([...value].map(([k, v]) => [copy(k), copy(v)]))
    if (value instanceof Set) return new Set([...value].map(copy))
    if (isPlainObject(value)) {
      const out: Record<string, unknown> = Object.create(Object.getPrototypeOf(value))
      for (const [k, v] of Object.entries(value)) {
        Object.defineProperty(out, k, {
          value: copy(v),
          enumerable: true,
          writable: true,
          configurable: true,
        })
      }
      return out
    }
    return value
  }
  return args.map(copy)
}

/** Distinct commit hashes of the ResultRefs in the arguments, in first-seen order: the commit's inputs. */
export function inputCommits(args: readonly unknown[]): Hash[] {
  return [...new Set(collectResultRefs(args).map((ref) => ref.commit))]
}

function isPlainObject(value: object): value is Record<string, unknown> {
  const proto = Object.getPrototypeOf(value)
  return proto === Object.prototype || proto === null
}

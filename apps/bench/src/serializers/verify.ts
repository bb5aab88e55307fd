/**
 * Checks that every codec really round-trips the benchmark data before it is timed, so no codec is
 * fast because it drops or changes something.
 */
import { isDeepStrictEqual } from 'node:util'
import type { Category, GraphNode } from './datasets.js'

/** Same bytes, whatever the view class (msgpackr gives Buffers, the Cairn decoders Uint8Arrays). */
export function sameBytes(a: unknown, b: unknown): boolean {
  if (!ArrayBuffer.isView(a) || !ArrayBuffer.isView(b) || a.byteLength !== b.byteLength) return false
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength)
  return x.equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength))
}

/** Same typed array class and the same elements. */
export function sameTypedArray(a: unknown, b: unknown): boolean {
  return ArrayBuffer.isView(b) && Object.getPrototypeOf(a) === Object.getPrototypeOf(b) && sameBytes(a, b)
}

export function sameTree(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b)
}

/**
 * The decoded graph has the same nodes with the same fields, and its parents, children, links and
 * categories point at the decoded objects that correspond to the original ones: identity is kept,
 * cycles are intact.
 */
export function sameGraph(original: GraphNode, decoded: GraphNode): boolean {
  const twins = new Map<object, object>([[original, decoded]])
  const pending: [GraphNode, GraphNode][] = [[original, decoded]]
  const pair = <T extends object>(a: T | null, b: T | null, visit?: (a: T, b: T) => void): boolean => {
    if (a === null || b === null) return a === b
    const known = twins.get(a)
    if (known !== undefined) return known === b
    twins.set(a, b)
    visit?.(a, b)
    return true
  }
  const node = (a: GraphNode, b: GraphNode) => pending.push([a, b])
  let categoriesMatch = true
  const category = (a: Category, b: Category) => {
    categoriesMatch &&=
      a.name === b.name && b.style instanceof Map && isDeepStrictEqual([...a.style], [...b.style])
  }
  while (pending.length > 0) {
    const [a, b] = pending.pop() as [GraphNode, GraphNode]
    const fieldsMatch =
      a.id === b.id &&
      a.label === b.label &&
      b.created instanceof Date &&
      a.created.getTime() === b.created.getTime() &&
      a.weight === b.weight &&
      b.tags instanceof Set &&
      isDeepStrictEqual([...a.tags], [...b.tags]) &&
      a.children.length === b.children.length &&
      a.links.length === b.links.length
    if (!fieldsMatch || !pair(a.parent, b.parent, node) || !pair(a.category, b.category, category))
      return false
    for (let i = 0; i < a.children.length; i++) {
      if (!pair(a.children[i] as GraphNode, b.children[i] as GraphNode, node)) return false
    }
    for (let i = 0; i < a.links.length; i++) {
      if (!pair(a.links[i] as GraphNode, b.links[i] as GraphNode, node)) return false
    }
  }
  return categoriesMatch
}

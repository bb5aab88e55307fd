/**
 * The data the serializer benchmark encodes. Everything is built from fixed seeds, so every run
 * (and every codec in a run) sees the same values.
 */

/** A small deterministic PRNG (mulberry32), so the data does not depend on Math.random. */
function random(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

export interface SmallRecord {
  id: number
  name: string
  score: number
  active: boolean
  tags: string[]
  pos: number[]
}

const WORDS = ['alpha', 'beta', 'gamma', 'delta', 'epsilon', 'zeta', 'eta', 'theta']

/** `count` records of 6 fields: ints, a float, short strings, a boolean, two small arrays (~80 bytes each as msgpack). */
export function smallRecords(count: number): SmallRecord[] {
  const next = random(1)
  return Array.from({ length: count }, (_, i) => ({
    id: i * 7919,
    name: `user-${WORDS[i % WORDS.length]}-${i}`,
    score: Math.round(next() * 1e6) / 1000,
    active: next() < 0.5,
    tags: [WORDS[(i * 3) % WORDS.length] as string, WORDS[(i * 5 + 1) % WORDS.length] as string],
    pos: [Math.floor(next() * 1000), -1 - Math.floor(next() * 1000), next()],
  }))
}

/** `count` float64s (random fractions, so none is written as an integer). */
export function floats(count: number): Float64Array {
  const next = random(2)
  const out = new Float64Array(count)
  for (let i = 0; i < count; i++) out[i] = (next() - 0.5) * 1e6
  return out
}

export interface Category {
  name: string
  style: Map<string, string | number>
}

export interface GraphNode {
  id: number
  label: string
  created: Date
  weight: number
  tags: Set<string>
  category: Category
  parent: GraphNode | null
  children: GraphNode[]
  links: GraphNode[]
}

/**
 * A tree of `count` nodes (each under a random earlier node) with parent back-links (cycles), two
 * links per node to random ancestors and one of 16 shared category objects (shared references), and
 * a Date, a Set and a Map in every node: what the structured serializer, `v8.serialize` and devalue
 * all carry whole. Links go to ancestors so a depth-first walk stays about as deep as the tree (tens
 * of levels): links to arbitrary nodes would make the walk thousands of levels deep, past the
 * structured serializer's `maxDepth` (2000).
 */
export function graph(count: number): GraphNode {
  const next = random(3)
  const categories: Category[] = Array.from({ length: 16 }, (_, i) => ({
    name: `category ${i}`,
    style: new Map<string, string | number>([
      ['color', WORDS[i % WORDS.length] as string],
      ['weight', i * 100],
    ]),
  }))
  const nodes: GraphNode[] = []
  for (let i = 0; i < count; i++) {
    const parent = i === 0 ? null : (nodes[Math.floor(next() * i)] as GraphNode)
    const node: GraphNode = {
      id: i,
      label: `node ${i}`,
      created: new Date(1_700_000_000_000 + i * 60_000),
      weight: next(),
      tags: new Set([WORDS[i % WORDS.length] as string, WORDS[(i * 7 + 3) % WORDS.length] as string]),
      category: categories[Math.floor(next() * categories.length)] as Category,
      parent,
      children: [],
      links: [],
    }
    parent?.children.push(node)
    nodes.push(node)
  }
  for (const node of nodes) {
    const ancestors: GraphNode[] = []
    for (let p = node.parent; p !== null; p = p.parent) ancestors.push(p)
    for (let k = 0; k < 2 && ancestors.length > 0; k++) {
      node.links.push(ancestors[Math.floor(next() * ancestors.length)] as GraphNode)
    }
  }
  return nodes[0] as GraphNode
}

export interface TreeNode {
  id: number
  label: string
  created: number
  weight: number
  tags: string[]
  category: { name: string; style: Record<string, string | number> }
  children: TreeNode[]
  links: number[]
}

/**
 * The same information as `graph`, shaped for msgpack and JSON: no cycles (no parent link), links
 * as ids, the Date as epoch milliseconds, the Set as an array, the category copied into every node,
 * its Map as an object.
 */
export function treeOf(node: GraphNode): TreeNode {
  return {
    id: node.id,
    label: node.label,
    created: node.created.getTime(),
    weight: node.weight,
    tags: [...node.tags],
    category: { name: node.category.name, style: Object.fromEntries(node.category.style) },
    children: node.children.map(treeOf),
    links: node.links.map((link) => link.id),
  }
}

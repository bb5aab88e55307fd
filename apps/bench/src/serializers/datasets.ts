/** Bytes of JSON text a value amounts to: the common unit for MB/s. */
export function jsonSize(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value))
}

export function smallRecords(count: number): unknown[] {
  return Array.from({ length: count }, (_, i) => ({
    id: i,
    name: `record ${i}`,
    score: i * 1.25 + 0.1,
    active: i % 3 === 0,
    tags: ['alpha', 'beta', i % 2 ? 'odd' : 'even'],
    position: { x: i % 100, y: (i % 7) - 3 },
  }))
}

/** A tree for msgpack and JSON (ids instead of references, dates as numbers). */
export function treeGraph(nodes: number): unknown {
  return Array.from({ length: nodes }, (_, i) => ({
    id: i,
    label: `node ${i}`,
    created: 1_700_000_000_000 + i,
    edges: [(i * 7) % nodes, (i * 13) % nodes, (i + 1) % nodes],
    weight: i / 3,
  }))
}

/** The same graph as real objects: shared references, a cycle, Maps and Dates. */
export function objectGraph(nodes: number): unknown {
  const all = Array.from({ length: nodes }, (_, i) => ({
    id: i,
    label: `node ${i}`,
    created: new Date(1_700_000_000_000 + i),
    edges: [] as unknown[],
    meta: new Map<string, number>([['weight', i / 3]]),
  }))
  for (const [i, node] of all.entries()) {
    node.edges.push(all[(i * 7) % nodes], all[(i * 13) % nodes], all[(i + 1) % nodes])
  }
  return all
}

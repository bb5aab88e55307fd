import { invalidArgument, notFound, throwIfAborted } from '../errors.js'
import { type Hash, isHash } from '../hash.js'
import type { Commit, CommitStatus } from '../protocols/commit.js'
import type { Store } from '../protocols/store.js'

/** Which way to walk from the root: to what it consumed, to what consumed it, or both. */
export type LineageDirection = 'upstream' | 'downstream' | 'both'

export interface LineageOptions {
  /** Default `'both'`. */
  direction?: LineageDirection
  /** Most hops from the root (a non-negative integer; default no limit). 0 gives the root alone. */
  depth?: number
  signal?: AbortSignal
}

/** A commit in a lineage graph: what a tree or table view shows of it. */
export interface LineageCommit {
  hash: Hash
  missing: false
  name: string
  status: CommitStatus
  createdAt: number
  durationMs: number
  fingerprint: string
  tags: Record<string, string>
  /** Its inputs as recorded, in order (also those beyond `depth`). */
  inputs: Hash[]
}

/** An input the store no longer holds (deleted, or gc'd): named by a consumer, but not found. */
export interface MissingCommit {
  hash: Hash
  missing: true
}

export type LineageNode = LineageCommit | MissingCommit

export interface LineageGraph {
  /** The full hash of the commit the walk started from. */
  root: Hash
  direction: LineageDirection
  /** Every commit reached, the root included, by hash. */
  nodes: Record<Hash, LineageNode>
  /**
   * `[from, to]`: `to` consumed `from`'s output (data flows from → to). Each pair once; upstream
   * edges in the order of each commit's inputs, downstream ones newest consumer first.
   */
  edges: [from: Hash, to: Hash][]
  /** Whether `depth` stopped the walk with more of the graph (edges, commits) beyond it. */
  truncated: boolean
}

const DIRECTIONS: readonly LineageDirection[] = ['upstream', 'downstream', 'both']

/**
 * The upstream and/or downstream graph of one commit (by hash or unique prefix), walked breadth
 * first. Commits form a DAG by construction (a commit names inputs that existed before it), but
 * the walk never visits a commit twice, so a damaged store with a cycle cannot loop it.
 * Unknown root: CAIRN_NOT_FOUND; ambiguous prefix: CAIRN_AMBIGUOUS.
 */
export async function commitLineage(
  store: Store,
  hashOrPrefix: string,
  options: LineageOptions = {},
): Promise<LineageGraph> {
  const { direction, depth } = lineageOptions(options)
  const { signal } = options
  const root = await store.getCommit(hashOrPrefix, { signal })
  if (!root) throw notFound(`no commit matches ${JSON.stringify(hashOrPrefix)}`, { ref: hashOrPrefix })
  const graph: LineageGraph = {
    root: root.hash,
    direction,
    // No prototype: a damaged record naming `__proto__` as an input becomes a plain key.
    nodes: Object.assign(Object.create(null) as Record<Hash, LineageNode>, { [root.hash]: summary(root) }),
    edges: [],
    truncated: false,
  }
  const edges = new Set<string>()
  const addEdge = (from: Hash, to: Hash) => {
    const key = `${from}>${to}`
    if (edges.has(key)) return
    edges.add(key)
    graph.edges.push([from, to])
  }
  if (direction !== 'downstream') {
    await walk(root, depth, signal, graph, {
      async next(commit) {
        const found: LineageNode[] = []
        for (const input of commit.inputs) {
          addEdge(input, commit.hash)
          found.push(
            (Object.hasOwn(graph.nodes, input) && graph.nodes[input]) || (await lookUp(store, input, signal)),
          )
        }
        return found
      },
      leadsFurther: async (commit) => commit.inputs.length > 0,
    })
  }
  if (direction !== 'upstream') {
    const consumers = (commit: LineageCommit, limit?: number) =>
      store.listCommits({ input: commit.hash, ...(limit === undefined ? {} : { limit }) }, { signal })
    await walk(root, depth, signal, graph, {
      async next(commit) {
        const found: LineageNode[] = []
        for await (const consumer of consumers(commit)) {
          addEdge(commit.hash, consumer.hash)
          found.push(graph.nodes[consumer.hash] ?? summary(consumer))
        }
        return found
      },
      async leadsFurther(commit) {
        for await (const _ of consumers(commit, 1)) return true
        return false
      },
    })
  }
  return graph
}

/** One direction of the walk: a commit's neighbours (adding their edges), and whether it has any. */
interface Step {
  next(commit: LineageCommit): Promise<LineageNode[]>
  leadsFurther(commit: LineageCommit): Promise<boolean>
}

/**
 * Breadth first from `root` through `step`, up to `depth` hops, adding what it finds to
 * `graph.nodes`. `visited` is per direction: a commit both upstream and downstream of the root (only
 * in a damaged store) is walked once each way.
 */
async function walk(
  root: Commit,
  depth: number,
  signal: AbortSignal | undefined,
  graph: LineageGraph,
  step: Step,
): Promise<void> {
  const visited = new Set<Hash>([root.hash])
  let frontier: LineageCommit[] = [graph.nodes[root.hash] as LineageCommit]
  for (let hop = 0; frontier.length > 0; hop++) {
    if (hop === depth) {
      for (const commit of frontier) {
        throwIfAborted(signal)
        if (graph.truncated || (await step.leadsFurther(commit))) {
          graph.truncated = true
          return
        }
      }
      return
    }
    const following: LineageCommit[] = []
    for (const commit of frontier) {
      throwIfAborted(signal)
      for (const node of await step.next(commit)) {
        graph.nodes[node.hash] = node
        if (visited.has(node.hash)) continue
        visited.add(node.hash)
        if (!node.missing) following.push(node)
      }
    }
    frontier = following
  }
}

async function lookUp(store: Store, hash: Hash, signal: AbortSignal | undefined): Promise<LineageNode> {
  // Only a damaged record names a non-hash; looked up, it could match another commit as a prefix.
  if (!isHash(hash)) return { hash, missing: true }
  const commit = await store.getCommit(hash, { signal })
  return commit ? summary(commit) : { hash, missing: true }
}

function summary(commit: Commit): LineageCommit {
  return {
    hash: commit.hash,
    missing: false,
    name: commit.task.name,
    status: commit.status,
    createdAt: commit.createdAt,
    durationMs: commit.durationMs,
    fingerprint: commit.fingerprint,
    tags: { ...commit.tags },
    inputs: [...commit.inputs],
  }
}

function lineageOptions(options: LineageOptions): { direction: LineageDirection; depth: number } {
  if (typeof options !== 'object' || options === null)
    throw invalidArgument('lineage options must be an object')
  const direction = options.direction ?? 'both'
  if (!DIRECTIONS.includes(direction)) {
    throw invalidArgument(
      `lineage direction must be "upstream", "downstream" or "both", got ${JSON.stringify(direction)}`,
    )
  }
  const depth = options.depth ?? Number.POSITIVE_INFINITY
  if (depth !== Number.POSITIVE_INFINITY && !(Number.isInteger(depth) && depth >= 0)) {
    throw invalidArgument(`lineage depth must be a non-negative integer, got ${String(depth)}`)
  }
  return { direction, depth }
}

import type { OpOptions, SpecVersion } from './common.js'

/**
 * The dataset protocols. Their implementations (`@cairn/datasets`, the indexes and data stores)
 * arrive with the datasets work; the shapes are fixed here so adapters can be written against them.
 */

/** A field type of a sample type. */
export type FieldType =
  | { kind: 'string' }
  | { kind: 'int' }
  | { kind: 'float' }
  | { kind: 'bool' }
  | { kind: 'bytes' }
  | { kind: 'ndarray'; dtype: string; shape?: (number | null)[] }
  | { kind: 'list'; items: FieldType }
  | { kind: 'optional'; inner: FieldType }
  | { kind: 'nested'; fields: Record<string, FieldType> }

/** A declared sample type (`defineSample(name, fields, { version })`). */
export interface SampleType {
  readonly name: string
  readonly version: string
  readonly fields: Readonly<Record<string, FieldType>>
}

/** A published sample type, as an index stores it. `ref` is what `getSchema` / `decodeSchema` take. */
export interface SchemaRecord {
  readonly ref: string
  readonly name: string
  readonly version: string
  readonly fields: Readonly<Record<string, FieldType>>
  readonly createdAt?: string
}

/** Anything an index can insert: an ordered, re-iterable collection of samples of one type. */
export interface DatasetLike {
  readonly sampleType?: SampleType
  /** The shard URLs the dataset reads from, when it is already sharded. */
  readonly urls?: readonly string[]
  ordered(): AsyncIterable<unknown>
}

/** One dataset listed in an index. */
export interface IndexEntry {
  readonly name: string
  /** The schema's ref (see `AbstractIndex.publishSchema`). */
  readonly schemaRef: string
  /** Shard URLs, possibly in brace notation. */
  readonly dataUrls: string[]
  readonly metadata?: Record<string, unknown>
}

/**
 * A catalogue of datasets and schemas. `getDataset`/`getSchema` of an unknown ref: `CAIRN_NOT_FOUND`.
 * `datasets()`/`schemas()` stream; `listDatasets()`/`listSchemas()` collect the same items.
 */
export interface AbstractIndex {
  readonly specVersion: SpecVersion
  readonly dataStore?: DataStore
  insertDataset(
    ds: DatasetLike,
    opts: { name: string; schemaRef?: string; metadata?: Record<string, unknown> } & OpOptions,
  ): Promise<IndexEntry>
  getDataset(ref: string, opts?: OpOptions): Promise<IndexEntry>
  datasets(opts?: OpOptions): AsyncIterable<IndexEntry>
  listDatasets(opts?: OpOptions): Promise<IndexEntry[]>
  publishSchema(sampleType: SampleType, opts?: { version?: string } & OpOptions): Promise<string>
  getSchema(ref: string, opts?: OpOptions): Promise<SchemaRecord>
  schemas(opts?: OpOptions): AsyncIterable<SchemaRecord>
  listSchemas(opts?: OpOptions): Promise<SchemaRecord[]>
  /** Rebuilds a working sample type from the schema record alone. */
  decodeSchema(ref: string, opts?: OpOptions): Promise<SampleType>
}

/** Where shards are written. */
export interface DataStore {
  readonly specVersion: SpecVersion
  /** Writes samples as tar shards named `<prefix>/shard-000000.tar`, ... and returns their URLs in order. */
  writeShards(
    samples: AsyncIterable<unknown> | DatasetLike,
    opts: { prefix: string; maxCount?: number; maxBytes?: number } & OpOptions,
  ): Promise<string[]>
  /** Turns a stored shard URL into one a reader can open. */
  readUrl(url: string): Promise<string> | string
  supportsStreaming(): boolean
}

/** Where shards are read from. `openShard` of an unknown id: `CAIRN_NOT_FOUND`. */
export interface DataSource {
  readonly specVersion: SpecVersion
  shards(opts?: OpOptions): AsyncIterable<[id: string, stream: AsyncIterable<Uint8Array>]>
  listShards(opts?: OpOptions): Promise<string[]>
  openShard(id: string, opts?: OpOptions): Promise<AsyncIterable<Uint8Array>>
}

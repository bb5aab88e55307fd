export { FsStore, type FsStoreOptions } from './fs-store.js'
export { LAYOUT } from './layout.js'

export { escapeGlob, type KeyLayout, keyLayout } from './keys.js'
export type { RedisStoreOptions } from './options.js'
export { RedisStore } from './redis-store.js'

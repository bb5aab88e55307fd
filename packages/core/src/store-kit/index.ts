export * from './ambiguity.js'
export * from './base-store.js'
export * from './verified-chunks.js'

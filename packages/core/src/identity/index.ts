export { KNOWN_GLOBALS } from './globals.js'
export * from './identity.js'

export { COMPUTED_MEMBER, IMPURE_MEMBERS, isPureGlobalRead, PURE_GLOBALS } from './globals.js'
export * from './identity.js'

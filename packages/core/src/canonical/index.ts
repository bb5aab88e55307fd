export * from './encode.js'
export * from './preview.js'

export { type ClassRegistration, ClassRegistry } from './registry.js'
export {
  createStructuredSerializer,
  STRUCTURED_MAX_DEPTH,
  type StructuredSerializerOptions,
  structuredSerializer,
} from './serializer.js'

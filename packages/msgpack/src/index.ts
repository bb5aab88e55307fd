export {
  type DType,
  decodeSample,
  encodeSample,
  type NdArray,
  type NdArrayData,
  ndarray,
  type SampleCodecOptions,
} from './sample.js'
export {
  createMsgpackSerializer,
  MSGPACK_MAX_DEPTH,
  type MsgpackSerializerOptions,
  msgpackSerializer,
} from './serializer.js'

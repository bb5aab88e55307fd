/** Placeholder: the serializer benchmark (json, msgpack, structured vs msgpackr, JSON, v8, devalue). */
throw new Error('the serializer benchmark is not written yet')

/*
 * RFC 6455 §5.3 masking for the lab server, in place: octet i of the payload is XORed with octet
 * (phase + i) mod 4 of the masking key. The protocol core unmasks with WebAssembly, which must copy a
 * payload into its own memory and back (three passes); this Node-only addon works on the payload where
 * it lies (one pass). The server injects it into the core (lab-server/src/node/native-unmask.ts); the
 * browser never sees it. Node-API only, so one build serves every Node version.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdint.h>
#include <string.h>

/* unmask(data: Uint8Array, key: number): `key` holds the four key octets for data[0], data[1], data[2]
 * and data[3] in its bytes from the lowest up (key octet k at bits 8k..8k+7). */
static napi_value Unmask(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 2) {
    napi_throw_type_error(env, NULL, "unmask(data, key) takes a Uint8Array and a 32-bit key");
    return NULL;
  }
  napi_typedarray_type type;
  size_t length;
  void *start;
  uint32_t key;
  if (napi_get_typedarray_info(env, argv[0], &type, &length, &start, NULL, NULL) != napi_ok ||
      type != napi_uint8_array || napi_get_value_uint32(env, argv[1], &key) != napi_ok) {
    napi_throw_type_error(env, NULL, "unmask(data, key) takes a Uint8Array and a 32-bit key");
    return NULL;
  }
  uint8_t *data = (uint8_t *)start;
  uint8_t octets[8];
  for (int i = 0; i < 8; i++) octets[i] = (uint8_t)(key >> ((i & 3) * 8));
  /* memcpy, not a cast: payloads start at any byte, and the compiler turns these into plain (vector)
   * loads and stores; the pattern is built from octets, so the host's byte order does not matter. */
  uint64_t pattern;
  memcpy(&pattern, octets, 8);
  size_t words = length / 8;
  for (size_t w = 0; w < words; w++) {
    uint64_t word;
    memcpy(&word, data + w * 8, 8);
    word ^= pattern;
    memcpy(data + w * 8, &word, 8);
  }
  for (size_t i = words * 8; i < length; i++) data[i] ^= octets[i & 7];
  return NULL;
}

NAPI_MODULE_INIT() {
  napi_value unmask;
  if (napi_create_function(env, "unmask", NAPI_AUTO_LENGTH, Unmask, NULL, &unmask) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "unmask", unmask) != napi_ok) return NULL;
  return exports;
}

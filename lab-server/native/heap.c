/*
 * How much freed memory the lab server's C heap keeps instead of giving it back to the kernel.
 *
 * Why: Node reads every socket into a fresh 64 KiB buffer, which glibc's malloc serves from the top of its
 * heap. V8 frees those buffers in batches, when a full collection runs; it starts one each time external
 * memory has grown by 64 MiB (V8's kExternalAllocationSoftLimit). By default glibc gives the top of its
 * heap back to the kernel as soon as 128 KiB of it is free, so under a large-message load each batch is
 * returned and every page of the next reads faults in again: 150-200 page faults per MiB echoed, measured,
 * a third of the server's CPU. A trim threshold above the batch keeps those pages mapped for the next reads.
 * Bounded: at most that threshold of free memory is kept at the heap's top.
 */
#define NAPI_VERSION 8
#include <node_api.h>
#include <stdbool.h>
#include <stdint.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* keepFreedHeap(bytes: number): true when the C heap now keeps up to `bytes` freed bytes (glibc's
 * M_TRIM_THRESHOLD), false where that setting does not exist (not glibc) or was refused. */
static napi_value KeepFreedHeap(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  uint32_t bytes;
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1 ||
      napi_get_value_uint32(env, argv[0], &bytes) != napi_ok || bytes > INT32_MAX) {
    napi_throw_type_error(env, NULL, "keepFreedHeap(bytes) takes a byte count below 2 GiB");
    return NULL;
  }
  bool kept = false;
#if defined(__GLIBC__)
  /* Setting it also ends glibc's dynamic adjustment of this threshold and of M_MMAP_THRESHOLD (mallopt(3)). */
  kept = mallopt(M_TRIM_THRESHOLD, (int)bytes) == 1;
#endif
  napi_value result;
  napi_get_boolean(env, kept, &result);
  return result;
}

NAPI_MODULE_INIT() {
  napi_value keep;
  if (napi_create_function(env, "keepFreedHeap", NAPI_AUTO_LENGTH, KeepFreedHeap, NULL, &keep) != napi_ok) return NULL;
  if (napi_set_named_property(env, exports, "keepFreedHeap", keep) != napi_ok) return NULL;
  return exports;
}

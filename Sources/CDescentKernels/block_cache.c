// A small cache of recently freed large blocks, for tensor storage.
//
// A training step allocates the same large buffers every step (activations, their gradients,
// the weight gradients that zeroGrad drops). glibc serves blocks this size from fresh pages or
// returns them to the system when freed, so without reuse each step paid page faults and the
// kernel's zeroing of every page (measured: several per cent of an MLP epoch). Blocks are kept
// by exact size, up to a fixed number and total; anything else goes to free() as usual.
#include "CDescentKernels.h"

#include <pthread.h>
#include <stdlib.h>

#define SLOTS 32
#define MAX_CACHED_BYTES ((size_t)256 << 20)

static struct {
  void *block;
  size_t size;
} slots[SLOTS];
static size_t cached_bytes = 0;
static unsigned next_victim = 0;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void *descent_block_take(size_t size) {
  void *block = NULL;
  pthread_mutex_lock(&lock);
  for (int i = 0; i < SLOTS; i++) {
    if (slots[i].block != NULL && slots[i].size == size) {
      block = slots[i].block;
      slots[i].block = NULL;
      cached_bytes -= size;
      break;
    }
  }
  pthread_mutex_unlock(&lock);
  return block;
}

void descent_block_give(void *block, size_t size) {
  void *evicted = NULL;
  pthread_mutex_lock(&lock);
  if (size <= MAX_CACHED_BYTES / 4) {
    int free_slot = -1;
    for (int i = 0; i < SLOTS; i++) {
      if (slots[i].block == NULL) {
        free_slot = i;
        break;
      }
    }
    // Full: the oldest-placed slot in round-robin order makes room.
    if (free_slot < 0) {
      free_slot = (int)(next_victim++ % SLOTS);
      evicted = slots[free_slot].block;
      cached_bytes -= slots[free_slot].size;
      slots[free_slot].block = NULL;
    }
    // Over the byte budget: evict until it fits.
    for (int i = 0; i < SLOTS && cached_bytes + size > MAX_CACHED_BYTES; i++) {
      if (slots[i].block != NULL) {
        free(slots[i].block);
        cached_bytes -= slots[i].size;
        slots[i].block = NULL;
      }
    }
    slots[free_slot].block = block;
    slots[free_slot].size = size;
    cached_bytes += size;
    block = NULL;
  }
  pthread_mutex_unlock(&lock);
  free(evicted);
  free(block);
}

void descent_block_cache_clear(void) {
  pthread_mutex_lock(&lock);
  for (int i = 0; i < SLOTS; i++) {
    free(slots[i].block);
    slots[i].block = NULL;
  }
  cached_bytes = 0;
  pthread_mutex_unlock(&lock);
}

#ifndef SYNAPSE_LOCAL_MEMORY_SCAN_H
#define SYNAPSE_LOCAL_MEMORY_SCAN_H

#include <stddef.h>

/// Writes `byte` over every byte of the buffer, so each page is backed by its own memory: a
/// zero fill may become calloc, whose untouched pages all read one shared zero page from cache.
void sl_fill_memory(void *base, size_t bytes, unsigned char byte);

/// Reads every byte of the buffer `passes` times with libc's vectorized memchr, looking for a
/// byte the caller knows is absent; returns how many passes found it (0). A compiler barrier
/// after each pass keeps the optimizer from doing the pure, loop-invariant scan only once.
size_t sl_scan_memory(const void *base, size_t bytes, unsigned char absent, int passes);

#endif

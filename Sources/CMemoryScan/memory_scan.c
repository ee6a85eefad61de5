#include "memory_scan.h"

#include <string.h>

void sl_fill_memory(void *base, size_t bytes, unsigned char byte) {
  memset(base, byte, bytes);
  /* The buffer "escapes": the fill cannot be dropped as a dead store. */
  __asm__ volatile("" : : "r"(base) : "memory");
}

size_t sl_scan_memory(const void *base, size_t bytes, unsigned char absent, int passes) {
  size_t found = 0;
  for (int pass = 0; pass < passes; pass++) {
    const void *hit = memchr(base, absent, bytes);
    __asm__ volatile("" : : "r"(hit) : "memory");
    if (hit != NULL) found++;
  }
  return found;
}

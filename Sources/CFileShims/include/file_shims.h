#ifndef SYNAPSE_LOCAL_FILE_SHIMS_H
#define SYNAPSE_LOCAL_FILE_SHIMS_H

#include <stdint.h>

/// sync_file_range(2), which glibc only declares with _GNU_SOURCE. Both return 0 on success, -1
/// with errno set (ENOSYS where Linux's call does not exist).
/// Starts writing back the dirty pages of the range, without waiting for them.
int sl_start_writeback(int fd, int64_t offset, int64_t length);
/// Waits until the range's pages are on the disk, starting any not yet started.
int sl_await_writeback(int fd, int64_t offset, int64_t length);

#endif

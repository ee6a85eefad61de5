#define _GNU_SOURCE
#include "file_shims.h"

#include <errno.h>
#include <fcntl.h>

int sl_start_writeback(int fd, int64_t offset, int64_t length) {
#ifdef __linux__
  return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WRITE);
#else
  (void)fd, (void)offset, (void)length;
  errno = ENOSYS;
  return -1;
#endif
}

int sl_await_writeback(int fd, int64_t offset, int64_t length) {
#ifdef __linux__
  return sync_file_range(fd, offset, length, SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
#else
  (void)fd, (void)offset, (void)length;
  errno = ENOSYS;
  return -1;
#endif
}

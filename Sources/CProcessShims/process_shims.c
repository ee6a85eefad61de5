#define _GNU_SOURCE
#include "process_shims.h"

#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <unistd.h>

static volatile sig_atomic_t sl_stop_pipe = -1;

/* Async-signal-safe: one write(2), and errno as the interrupted code left it. */
static void sl_on_stop(int signal) {
  int saved = errno;
  unsigned char byte = (unsigned char)signal;
  if (sl_stop_pipe >= 0) {
    ssize_t written = write(sl_stop_pipe, &byte, 1);
    (void)written;
  }
  errno = saved;
}

int sl_install_stop_handlers(int write_fd) {
  sl_stop_pipe = write_fd;
  struct sigaction action;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  action.sa_handler = sl_on_stop;
  int signals[] = {SIGTERM, SIGINT, SIGHUP};
  for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    if (sigaction(signals[i], &action, 0) != 0) return -1;
  }
  return 0;
}

short sl_posix_spawn_setsid_flag(void) {
#ifdef POSIX_SPAWN_SETSID
  return POSIX_SPAWN_SETSID;
#else
  return 0;
#endif
}

#ifdef __linux__
#include <sys/prctl.h>

int sl_set_child_subreaper(void) { return prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); }
int sl_set_parent_death_signal(int signal) { return prctl(PR_SET_PDEATHSIG, signal, 0, 0, 0); }
#else
#include <errno.h>

int sl_set_child_subreaper(void) { errno = ENOSYS; return -1; }
int sl_set_parent_death_signal(int signal) { (void)signal; errno = ENOSYS; return -1; }
#endif

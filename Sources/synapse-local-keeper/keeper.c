/*
 * synapse-local-keeper: the small process between the supervisor and one service. It starts the
 * service in a process group of its own and makes sure the whole group, grandchildren included,
 * ends when the service ends, when it is told to stop (SIGTERM, SIGINT, SIGHUP), and when the
 * supervisor dies, even by SIGKILL: it sees its parent change within a tenth of a second.
 *
 * It is `synapse-local keeper` (ProcessKeeper.swift) in C: the same arguments, pid file, exit
 * statuses and messages, in about 1 MiB of memory where a Swift process takes about 28 MiB. The
 * supervisor runs it when it sits beside the synapse-local binary, and the built-in keeper
 * otherwise (docs/DECISIONS.md).
 *
 *   synapse-local-keeper [--pid-file F] [--stop-signal N] [--grace SECONDS] [--parent PID] -- EXECUTABLE [ARGUMENT...]
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static int stop_pipe[2] = {-1, -1};

/* Async-signal-safe: one write(2), and errno as the interrupted code left it. */
static void on_stop(int signal) {
  int saved = errno;
  unsigned char byte = (unsigned char)signal;
  ssize_t written = write(stop_pipe[1], &byte, 1);
  (void)written;
  errno = saved;
}

static int exit_code(int status) { return WIFSIGNALED(status) ? 128 + WTERMSIG(status) : WEXITSTATUS(status); }

/* Reaps every child that has exited (re-parented grandchildren too); the service's status in
   *status when it is among them. Returns whether the service was. */
static int reap(pid_t child, int *status) {
  int found = 0;
  for (;;) {
    int raw = 0;
    pid_t pid = waitpid(-1, &raw, WNOHANG);
    if (pid <= 0) return found;
    if (pid == child) {
      *status = exit_code(raw);
      found = 1;
    }
  }
}

static double now_seconds(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int group_alive(pid_t group) { return kill(-group, 0) == 0; }

/* The stop signal to the group (and SIGCONT, for a stopped service), SIGKILL after the grace
   period; returns the service's status. */
static int stop_group(pid_t child, int stop_signal, double grace) {
  int status = 0, exited = 0;
  kill(-child, stop_signal);
  kill(-child, SIGCONT);
  double deadline = now_seconds() + grace;
  while (now_seconds() < deadline) {
    if (reap(child, &status)) exited = 1;
    if (exited && !group_alive(child)) return status;
    usleep(50000);
  }
  kill(-child, SIGKILL);
  for (int i = 0; i < 40; i++) {
    if (reap(child, &status)) exited = 1;
    if (exited && !group_alive(child)) break;
    usleep(50000);
  }
  return exited ? status : 128 + SIGKILL;
}

/* The fields of /proc/PID/stat after the command's closing parenthesis: [0] state, [1] parent,
   [19] start time. Returns how many were read. */
static int stat_fields(pid_t pid, unsigned long long *fields, int count) {
  char path[64], text[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  ssize_t length = read(fd, text, sizeof text - 1);
  close(fd);
  if (length <= 0) return 0;
  text[length] = 0;
  char *cursor = strrchr(text, ')');
  if (!cursor) return 0;
  cursor++;
  int read_fields = 0;
  while (read_fields < count) {
    while (*cursor == ' ') cursor++;
    if (!*cursor) break;
    char *end;
    fields[read_fields++] = strtoull(cursor, &end, 10); /* the state letter reads as 0 */
    if (end == cursor) {
      while (*cursor && *cursor != ' ') cursor++;
    } else {
      cursor = end;
    }
  }
  return read_fields;
}

/* Whatever left the group (setsid) but was re-parented here as its subreaper goes too. */
static void end_adopted(void) {
  pid_t me = getpid();
  for (int round = 0; round < 3; round++) {
    int adopted = 0;
    DIR *proc = opendir("/proc");
    if (!proc) return;
    struct dirent *entry;
    while ((entry = readdir(proc))) {
      char *end;
      long pid = strtol(entry->d_name, &end, 10);
      if (*end || pid <= 1) continue;
      unsigned long long fields[2];
      if (stat_fields((pid_t)pid, fields, 2) == 2 && (pid_t)fields[1] == me) {
        kill((pid_t)pid, SIGKILL);
        adopted++;
      }
    }
    closedir(proc);
    if (!adopted) return;
    usleep(50000);
    int ignored;
    reap(-1, &ignored);
  }
}

/* "PID STARTTIME\n", written whole or not at all, mode 0644 (as AtomicFile writes it). */
static void write_pid_file(const char *path, pid_t child) {
  unsigned long long fields[20] = {0};
  unsigned long long start = stat_fields(child, fields, 20) == 20 ? fields[19] : 0;
  char temporary[4096], line[64];
  if (snprintf(temporary, sizeof temporary, "%s.tmp-%d", path, (int)getpid()) >= (int)sizeof temporary) return;
  int length = snprintf(line, sizeof line, "%d %llu\n", (int)child, start);
  int fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return;
  fchmod(fd, 0644);
  int ok = write(fd, line, length) == length && fsync(fd) == 0;
  close(fd);
  if (!ok || rename(temporary, path) != 0) unlink(temporary);
}

static int usage(const char *message) {
  fprintf(stderr, "synapse-local keeper: %s\n", message);
  return 64;
}

int main(int argc, char **argv) {
  const char *pid_file = NULL;
  int stop_signal = SIGTERM;
  double grace = 10;
  long expected_parent = -1;
  int first = argc;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) {
      first = i + 1;
      break;
    }
    if (i + 1 >= argc) return usage("an option lacks its value");
    if (strcmp(argv[i], "--pid-file") == 0) {
      pid_file = argv[++i];
    } else if (strcmp(argv[i], "--stop-signal") == 0) {
      stop_signal = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--grace") == 0) {
      grace = atof(argv[++i]);
    } else if (strcmp(argv[i], "--parent") == 0) {
      expected_parent = atol(argv[++i]);
    } else {
      return usage("unknown option; give the service's command after --");
    }
  }
  if (first >= argc) return usage("give the service's command after --");
  if (stop_signal <= 0 || stop_signal >= NSIG) return usage("--stop-signal is not a signal number");

  pid_t parent = getppid();
  /* The supervisor is already gone: the service must not start. */
  if (expected_parent >= 0 && expected_parent != parent) return 128 + SIGKILL;
  /* Orphaned grandchildren are re-parented here, so they can be reaped and never outlive us. */
  prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
  if (pipe2(stop_pipe, O_CLOEXEC | O_NONBLOCK) != 0) {
    fprintf(stderr, "synapse-local keeper: cannot install signal handlers: %s\n", strerror(errno));
    return 127;
  }
  struct sigaction action;
  memset(&action, 0, sizeof action);
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  action.sa_handler = on_stop;
  int stops[] = {SIGTERM, SIGINT, SIGHUP};
  for (unsigned i = 0; i < sizeof stops / sizeof stops[0]; i++) {
    if (sigaction(stops[i], &action, 0) != 0) {
      fprintf(stderr, "synapse-local keeper: cannot install signal handlers: %s\n", strerror(errno));
      return 127;
    }
  }

  /* A process group of its own, default signal handling, an empty mask. */
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigfillset(&defaults);
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setpgroup(&attributes, 0);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t child = 0;
  const char *executable = argv[first];
  int failed = strchr(executable, '/') ? posix_spawn(&child, executable, NULL, &attributes, argv + first, environ)
                                       : posix_spawnp(&child, executable, NULL, &attributes, argv + first, environ);
  posix_spawnattr_destroy(&attributes);
  if (failed) {
    fprintf(stderr, "synapse-local keeper: cannot start %s: %s\n", executable, strerror(failed));
    return 127;
  }
  /* The start time makes the record exact: after a reboot the same pid may be someone else. */
  if (pid_file) write_pid_file(pid_file, child);

  int status = 0;
  for (;;) {
    struct pollfd request = {.fd = stop_pipe[0], .events = POLLIN};
    unsigned char byte;
    if (poll(&request, 1, 100) > 0 && read(stop_pipe[0], &byte, 1) == 1) {
      status = stop_group(child, stop_signal, grace);
      break;
    }
    if (reap(child, &status)) {
      /* The service is gone; anything it left behind in its group goes too. */
      kill(-child, SIGKILL);
      break;
    }
    if (getppid() != parent) {
      status = stop_group(child, stop_signal, grace);
      break;
    }
  }
  end_adopted();
  if (pid_file) unlink(pid_file);
  return status;
}

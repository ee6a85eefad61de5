#ifndef SYNAPSE_LOCAL_PROCESS_SHIMS_H
#define SYNAPSE_LOCAL_PROCESS_SHIMS_H

/// prctl is variadic, which Swift cannot call: these wrap the two uses the keeper has.
/// Returns 0 on success, -1 with errno set (or where Linux's prctl does not exist).
int sl_set_child_subreaper(void);
int sl_set_parent_death_signal(int signal);

/// POSIX_SPAWN_SETSID, which glibc only declares with _GNU_SOURCE (0 where it does not exist).
short sl_posix_spawn_setsid_flag(void);

/// Handlers for SIGTERM, SIGINT and SIGHUP that write the signal's number, one byte, to
/// `write_fd` (a self-pipe): process-wide, whichever thread the signal lands on.
int sl_install_stop_handlers(int write_fd);

#endif

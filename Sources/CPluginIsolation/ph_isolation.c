#define _GNU_SOURCE
#include "ph_isolation.h"

#include <dlfcn.h>
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <unistd.h>

int ph_isolation_socketpair(int fds[2]) {
    return socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0 ? 0 : errno;
}

int ph_isolation_spawn(const char *path, char *const argv[], char *const envp[], int child_fd, pid_t *out_pid) {
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attributes;
    int status = posix_spawn_file_actions_init(&actions);
    if (status != 0) return status;
    status = posix_spawnattr_init(&attributes);
    if (status != 0) {
        posix_spawn_file_actions_destroy(&actions);
        return status;
    }
    sigset_t empty, all;
    sigemptyset(&empty);
    sigfillset(&all);
    if (status == 0) status = posix_spawn_file_actions_adddup2(&actions, child_fd, PH_ISOLATION_WORKER_FD);
    if (status == 0) status = posix_spawn_file_actions_addclosefrom_np(&actions, PH_ISOLATION_WORKER_FD + 1);
    if (status == 0) status = posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    if (status == 0) status = posix_spawnattr_setpgroup(&attributes, 0);
    if (status == 0) status = posix_spawnattr_setsigmask(&attributes, &empty);
    if (status == 0) status = posix_spawnattr_setsigdefault(&attributes, &all);
    if (status == 0) status = posix_spawn(out_pid, path, &actions, &attributes, argv, envp);
    posix_spawnattr_destroy(&attributes);
    posix_spawn_file_actions_destroy(&actions);
    return status;
}

const char *ph_isolation_image_path(void) {
    Dl_info info;
    if (dladdr((const void *)&ph_isolation_image_path, &info) == 0 || info.dli_fname == NULL) return NULL;
    return info.dli_fname;
}

/*
 * fuzz_support.c - see fuzz_support.h. The input file is a memfd so that
 * file-only parsers (safetensors, the series JSON, the sim journal) are
 * fuzzed without touching the disk; /proc/self/fd/N reopens it as a path.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_support.h"
#include "marketsim/common.h"

_Noreturn void fuzz_fail(const char *file, int line, const char *condition)
{
    fprintf(stderr, "%s:%d: invariant failed: %s\n", file, line, condition);
    abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    ms_log_set_level(MS_LOG_ERROR);
    return 0;
}

const char *fuzz_input_file(const uint8_t *data, size_t size)
{
    static int fd = -1;
    static char path[64];
    if (fd < 0) {
        fd = memfd_create("fuzz-input", 0);
        if (fd < 0) {
            perror("memfd_create");
            abort();
        }
        snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    }
    /* Truncating first also drops what a parser appended last time (the
     * sim journal writes its account record into an empty journal). */
    if (ftruncate(fd, 0) != 0 || (size > 0 && pwrite(fd, data, size, 0) != (ssize_t)size)) {
        perror("fuzz input file");
        abort();
    }
    return path;
}

/*
 * fuzz_support.h - what every fuzz target shares: quiet library logging,
 * a failed-invariant abort that libFuzzer reports as a crash, and the
 * input as a file for parsers that only read paths.
 */
#ifndef MS_FUZZ_SUPPORT_H
#define MS_FUZZ_SUPPORT_H

#include <stddef.h>
#include <stdint.h>

/* Aborts (a crash libFuzzer keeps the input of) when `condition` is false:
 * the parser accepted input but broke a promise of its API. */
#define FUZZ_CHECK(condition) \
    ((condition) ? (void)0 : fuzz_fail(__FILE__, __LINE__, #condition))

_Noreturn void fuzz_fail(const char *file, int line, const char *condition);

/* Every target's LLVMFuzzerInitialize (defined once, in fuzz_support.c):
 * silences warnings (ms_log_set_level(MS_LOG_ERROR)), as a parser that
 * warns on every malformed input would spend the run formatting messages. */
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The input as a file: one memfd per process, rewritten on every call,
 * named by its /proc/self/fd path (valid until the next call). Aborts
 * when the file cannot be written: that is the harness failing, not the
 * parser. */
const char *fuzz_input_file(const uint8_t *data, size_t size);

#endif

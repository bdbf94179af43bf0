/*
 * cli_run.h - runs the built `marketsim` binary ($MARKETSIM_BIN, else
 * build/bin/marketsim) as a user would and captures what it printed and
 * its exit code, for the CLI tests.
 */
#ifndef MS_TEST_CLI_RUN_H
#define MS_TEST_CLI_RUN_H

#include <sys/types.h>

typedef struct cli_run_result {
    int exit_code;   /* -1 when the process did not exit normally */
    char *out;       /* stdout, NUL-terminated, owned */
    char *err;       /* stderr */
} cli_run_result;

/* Runs marketsim with the NULL-terminated arguments that follow `env`;
 * `env` is NULL or one "NAME=VALUE" set in the child only. */
cli_run_result cli_run(const char *env, ...);

void cli_run_release(cli_run_result *result);

/* Starts marketsim in the background with the NULL-terminated arguments
 * that follow `env` (NULL, or a NULL-terminated list of "NAME=VALUE" set
 * in the child only): stdout to /dev/null, stderr to `err_path`. The
 * caller waits for the returned pid. */
pid_t cli_spawn(const char *err_path, const char *const *env, ...);

/* cli_spawn with stdout to `out_path` (created or truncated). */
pid_t cli_spawn_to(const char *out_path, const char *err_path, const char *const *env, ...);

/* "csv:<source dir>/tests/fixtures/analyze", from $MARKETSIM_SOURCE_DIR. */
const char *cli_fixtures_uri(void);

#endif

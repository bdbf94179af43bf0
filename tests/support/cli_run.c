/* cli_run.c - see cli_run.h. */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "support/cli_run.h"

static char *slurp(FILE *f)
{
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    char *text = calloc(1, (size_t)size + 1);
    if (fread(text, 1, (size_t)size, f) != (size_t)size)
        text[0] = '\0';
    fclose(f);
    return text;
}

static void set_child_env(const char *env)
{
    char assignment[256];
    snprintf(assignment, sizeof assignment, "%s", env);
    char *value = strchr(assignment, '=');
    if (value == NULL)
        return;
    *value = '\0';
    setenv(assignment, value + 1, 1);
}

static const char *marketsim_bin(void)
{
    const char *bin = getenv("MARKETSIM_BIN");
    return bin != NULL ? bin : "build/bin/marketsim";
}

/* argv for execv: the binary, then the NULL-terminated arguments of `ap`. */
static void collect_args(char *argv[32], va_list ap)
{
    argv[0] = (char *)marketsim_bin();
    for (int i = 1; i < 31 && (argv[i] = va_arg(ap, char *)) != NULL; i++)
        ;
    argv[31] = NULL;
}

cli_run_result cli_run(const char *env, ...)
{
    char *argv[32];
    va_list ap;
    va_start(ap, env);
    collect_args(argv, ap);
    va_end(ap);
    FILE *out = tmpfile(), *err = tmpfile();
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fileno(out), STDOUT_FILENO);
        dup2(fileno(err), STDERR_FILENO);
        if (env)
            set_child_env(env);
        execv(argv[0], argv);
        _exit(127);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    return (cli_run_result){ WIFEXITED(status) ? WEXITSTATUS(status) : -1, slurp(out), slurp(err) };
}

static pid_t spawn(const char *out_path, const char *err_path, const char *const *env,
                   char **argv)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        int out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int err = open(err_path, O_WRONLY | O_CREAT, 0600);
        dup2(out, STDOUT_FILENO);
        dup2(err, STDERR_FILENO);
        for (size_t i = 0; env != NULL && env[i] != NULL; i++)
            set_child_env(env[i]);
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

pid_t cli_spawn(const char *err_path, const char *const *env, ...)
{
    char *argv[32];
    va_list ap;
    va_start(ap, env);
    collect_args(argv, ap);
    va_end(ap);
    return spawn("/dev/null", err_path, env, argv);
}

pid_t cli_spawn_to(const char *out_path, const char *err_path, const char *const *env, ...)
{
    char *argv[32];
    va_list ap;
    va_start(ap, env);
    collect_args(argv, ap);
    va_end(ap);
    return spawn(out_path, err_path, env, argv);
}

void cli_run_release(cli_run_result *result)
{
    free(result->out);
    free(result->err);
}

const char *cli_fixtures_uri(void)
{
    static char uri[4096];
    const char *root = getenv("MARKETSIM_SOURCE_DIR");
    snprintf(uri, sizeof uri, "csv:%s/tests/fixtures/analyze", root ? root : ".");
    return uri;
}

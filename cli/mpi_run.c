/*
 * mpi_run.c - `marketsim mpirun [LAUNCHER OPTIONS] analyze|trade [flags]`
 * (docs/scaling.md, "Faults"): starts the MPI job through the launcher
 * (`mpirun`, or the command MARKETSIM_MPIRUN names, such as `srun
 * --mpi=pmix`) and ends with marketsim's own exit codes. It exists for one
 * reason: Open MPI 4.1's mpirun ends a job whose rank was killed with
 * 128 + the signal (137 for kill -9) whatever rank 0 does, and no MCA
 * setting changes that (--enable-recovery makes every job exit 0, failures
 * included). marketsim's codes (0, 1, 2, 130) pass through; any other
 * status of the launcher, or the launcher killed, becomes 1 after saying
 * so. Rank 0's own message names the lost rank and its symbols.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

static const char usage[] =
    "usage: marketsim mpirun [LAUNCHER OPTIONS] analyze|trade [flags]\n"
    "Runs `mpirun [LAUNCHER OPTIONS] marketsim analyze|trade [flags]` (or the launcher\n"
    "MARKETSIM_MPIRUN names, e.g. \"srun --mpi=pmix\") and exits with marketsim's codes:\n"
    "0, 1 (a failure: some symbol failed, or a rank died or stopped answering), 2 (usage),\n"
    "130 (stopped). mpirun alone exits 128 + the signal when a rank is killed.\n";

#ifdef MS_WITH_MPI

static pid_t launched;

/* SIGINT and SIGTERM go to the launcher, which passes them to the ranks;
 * the status it then ends with is the answer. */
static void forward(int signal_number)
{
    if (launched > 0)
        kill(launched, signal_number);
}

/* The launcher's words (MARKETSIM_MPIRUN split at spaces, else "mpirun"),
 * then its options, this executable, the global options given before
 * `mpirun` (`marketsim --config FILE mpirun ...`: main took them, so each
 * rank gets them back), the command and its flags. */
static char **launch_line(int argc, char **argv, int command_at, char *launcher_copy)
{
    /* argv less its [0], the words (fewer than its characters), the
     * executable, --config FILE and the NULL. */
    char **line = calloc((size_t)argc + strlen(launcher_copy) + 4, sizeof *line);
    if (line == NULL)
        return NULL;
    size_t n = 0;
    for (char *word = strtok(launcher_copy, " "); word != NULL; word = strtok(NULL, " "))
        line[n++] = word;
    for (int i = 1; i < command_at; i++)
        line[n++] = argv[i];
    static char self[4096];
    ssize_t length = readlink("/proc/self/exe", self, sizeof self - 1);
    self[length > 0 ? length : 0] = '\0';
    line[n++] = length > 0 ? self : "marketsim";
    if (cli_config_chosen() != NULL) {
        line[n++] = "--config";
        line[n++] = (char *)cli_config_chosen();
    }
    for (int i = command_at; i < argc; i++)
        line[n++] = argv[i];
    return line;
}

/* marketsim's own codes pass; anything else means the launcher ended the
 * job (a rank killed: 128 + its signal) or failed itself. */
static int own_code(int status)
{
    if (WIFEXITED(status)) {
        int code = WEXITSTATUS(status);
        if (code == CLI_EXIT_OK || code == CLI_EXIT_FAILED || code == CLI_EXIT_USAGE ||
            code == CLI_EXIT_STOPPED)
            return code;
        fprintf(stderr, "marketsim mpirun: the launcher ended the job with status %d%s; "
                "exit status 1\n", code,
                code > 128 ? " (a rank was killed by a signal: the lines above name it)" : "");
    } else {
        fprintf(stderr, "marketsim mpirun: the launcher was killed by signal %d; exit "
                "status 1\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    }
    return CLI_EXIT_FAILED;
}

/* Runs the launch line and waits for it, SIGINT and SIGTERM passed on. */
static int launch(int argc, char **argv, int command_at)
{
    const char *launcher = getenv("MARKETSIM_MPIRUN");
    char *launcher_copy = strdup(launcher != NULL && *launcher != '\0' ? launcher : "mpirun");
    char **line = launcher_copy ? launch_line(argc, argv, command_at, launcher_copy) : NULL;
    if (line == NULL) {
        free(launcher_copy);
        fprintf(stderr, "marketsim mpirun: out of memory\n");
        return CLI_EXIT_FAILED;
    }
    fflush(NULL);
    launched = fork();
    if (launched == 0) {
        execvp(line[0], line);
        fprintf(stderr, "marketsim mpirun: cannot run %s: %s\n", line[0], strerror(errno));
        _exit(CLI_EXIT_FAILED);
    }
    int status = 0;
    if (launched > 0) {
        signal(SIGINT, forward);
        signal(SIGTERM, forward);
        while (waitpid(launched, &status, 0) < 0 && errno == EINTR)
            continue;
    }
    free(line);
    free(launcher_copy);
    if (launched < 0) {
        fprintf(stderr, "marketsim mpirun: cannot start the launcher: %s\n", strerror(errno));
        return CLI_EXIT_FAILED;
    }
    return own_code(status);
}

#else

static int launch(int argc, char **argv, int command_at)
{
    (void)argc;
    (void)argv;
    (void)command_at;
    fprintf(stderr, "marketsim mpirun: this marketsim was built without MPI. Install "
            "libopenmpi-dev and rebuild (the Makefile finds mpicc), or run one process.\n");
    return CLI_EXIT_FAILED;
}

#endif

int cli_mpi_run(int argc, char **argv)
{
    int command_at = 1;
    while (command_at < argc && strcmp(argv[command_at], "analyze") != 0 &&
           strcmp(argv[command_at], "trade") != 0) {
        if (strcmp(argv[command_at], "--help") == 0 || strcmp(argv[command_at], "-h") == 0) {
            fputs(usage, stdout);
            return CLI_EXIT_OK;
        }
        command_at++;
    }
    if (command_at == argc) {
        fputs(usage, stderr);
        return cli_usage_error("mpirun", "no analyze or trade command to run over ranks");
    }
    return launch(argc, argv, command_at);
}

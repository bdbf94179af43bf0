/*
 * stop.c - Ctrl-C and SIGTERM for the subcommands that run for long
 * (`analyze`, `trade`, `backtest`, `forecast`). The first signal prints
 * "stopping" and asks the run to stop: the flag below (read by `trade`
 * between steps and cycles, and by the progress watcher, which cancels the
 * analysis under way: progress.c), and the library's HTTP waits
 * (ms_interrupt_requests). A second signal exits at once. Threads that
 * wait for a stop (the progress watcher, `trade --loop` between cycles)
 * sleep on a semaphore the handler posts (sem_post is async-signal-safe),
 * so they wake at once and never poll.
 *
 * Commands that write nothing that must be finished (`backtest`,
 * `forecast`: their output is stdout and an HTML file written whole or not
 * at all) stop at the first signal: there is nothing to wait for.
 */
#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* Written by the handler on whichever thread takes the signal and read by
 * others (the progress watcher, the trade loop): every access is atomic
 * (lock-free, so async-signal-safe), which ThreadSanitizer also sees. The
 * type stays sig_atomic_t for cli_stop_flag's readers. */
static volatile sig_atomic_t stop_requested = 0;
static volatile sig_atomic_t stop_at_once = 0;

static bool stop_is_requested(void)
{
    return __atomic_load_n(&stop_requested, __ATOMIC_SEQ_CST) != 0;
}
static sem_t wake;
static pthread_once_t wake_once = PTHREAD_ONCE_INIT;

static void init_wake(void)
{
    sem_init(&wake, 0, 0);
}

/* A message from the handler: write(2) is async-signal-safe, stdio is
 * not; a closed stderr leaves nothing to do. */
static void say(const char *text, size_t length)
{
    if (write(STDERR_FILENO, text, length) < 0)
        return;
}

/* Async-signal-safe only: write(2), _exit(2), sem_post(3), flag stores. */
static void on_signal(int signal_number)
{
    (void)signal_number; /* both signals stop alike */
    static const char stopping[] = "\nmarketsim: stopping (Ctrl-C again to exit at once)\n";
    static const char exiting[] = "\nmarketsim: stopping now\n";
    if (stop_is_requested() || stop_at_once) {
        say(exiting, sizeof exiting - 1);
        _exit(CLI_EXIT_STOPPED);
    }
    __atomic_store_n(&stop_requested, 1, __ATOMIC_SEQ_CST);
    ms_interrupt_requests(1);
    sem_post(&wake);
    say(stopping, sizeof stopping - 1);
}

void cli_stop_install(bool at_once)
{
    stop_at_once = at_once;
    pthread_once(&wake_once, init_wake); /* before the handler can post */
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = on_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

bool cli_stop_requested(void)
{
    return stop_is_requested();
}

const volatile sig_atomic_t *cli_stop_flag(void)
{
    return &stop_requested;
}

void cli_stop_wake(void)
{
    pthread_once(&wake_once, init_wake);
    sem_post(&wake);
}

bool cli_stop_wait(double seconds)
{
    pthread_once(&wake_once, init_wake);
    if (seconds < 0) {
        while (sem_wait(&wake) != 0 && errno == EINTR && !stop_is_requested())
            continue;
        return stop_is_requested();
    }
    /* sem_timedwait takes a CLOCK_REALTIME deadline. */
    struct timespec deadline;
    clock_gettime(CLOCK_REALTIME, &deadline);
    double whole = (double)(time_t)seconds;
    deadline.tv_sec += (time_t)seconds;
    deadline.tv_nsec += (long)((seconds - whole) * 1e9);
    if (deadline.tv_nsec >= 1000000000L) {
        deadline.tv_sec++;
        deadline.tv_nsec -= 1000000000L;
    }
    while (sem_timedwait(&wake, &deadline) != 0 && errno == EINTR && !stop_is_requested())
        continue;
    return stop_is_requested();
}

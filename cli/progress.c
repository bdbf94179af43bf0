/*
 * progress.c - the progress line of an analysis and the bridge from a
 * stop request to ms_analyzer_cancel. A watcher thread reads
 * ms_analyzer_progress while the analysis runs: on a terminal it redraws
 * one line in place several times a second; off one (nohup, CI, a pipe)
 * it prints a plain line every MARKETSIM_PROGRESS_SECONDS (default 5), so
 * a log shows the run is alive and when it will end. --quiet prints
 * nothing, but the watcher still runs: it is what turns Ctrl-C into a
 * cancel, outside the signal handler, so the handler never touches an
 * analyzer that may be freed. Between lines it sleeps in cli_stop_wait,
 * which the signal handler and cli_progress_stop wake: a cancel is asked
 * at once, and with --quiet the watcher sleeps until one of them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "cli.h"

#define TERMINAL_REDRAW_SECONDS 0.25
#define DEFAULT_LINE_SECONDS 5.0

struct cli_progress {
    const char *command;
    ms_analyzer *analyzer;
    bool show, terminal;
    double interval;
    pthread_t thread;
    pthread_mutex_t lock;
    bool finished;                 /* set by cli_progress_stop */
    size_t drawn;                  /* characters of the line on the terminal */
};

/* "1:05" or "1:02:03" */
static void format_duration(double seconds, char *out, size_t size)
{
    long total = seconds > 0 ? (long)(seconds + 0.5) : 0;
    if (total >= 3600)
        snprintf(out, size, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
    else
        snprintf(out, size, "%ld:%02ld", total / 60, total % 60);
}

/* "analyze: 3/10 symbols, 1200 contexts forecast, 0:12 elapsed, ETA 0:28" */
static int format_line(const char *command, const ms_analysis_progress *p, char *out, size_t size)
{
    char elapsed[32], eta[32] = "?";
    format_duration(p->elapsed, elapsed, sizeof elapsed);
    if (p->fraction > 0.01 && p->elapsed > 0.5)
        format_duration(p->elapsed * (1.0 - p->fraction) / p->fraction, eta, sizeof eta);
    return snprintf(out, size, "marketsim %s: %zu/%zu symbols, %zu contexts forecast, "
                    "%s elapsed, ETA %s", command, p->symbols_done, p->symbols_total,
                    p->contexts_done, elapsed, eta);
}

static void draw(struct cli_progress *progress)
{
    ms_analysis_progress p;
    char line[256];
    if (ms_analyzer_progress(progress->analyzer, &p) != MS_OK || !p.running)
        return;
    int length = format_line(progress->command, &p, line, sizeof line);
    if (progress->terminal) {
        /* pad over a longer previous line, and stay on this one */
        int pad = progress->drawn > (size_t)length ? (int)(progress->drawn - (size_t)length) : 0;
        fprintf(stderr, "\r%s%*s", line, pad, "");
        progress->drawn = (size_t)length;
    } else {
        fprintf(stderr, "%s\n", line);
    }
    fflush(stderr);
}

static bool finished(struct cli_progress *progress)
{
    pthread_mutex_lock(&progress->lock);
    bool done = progress->finished;
    pthread_mutex_unlock(&progress->lock);
    return done;
}

/* Every wake-up re-checks all it waits for: a wake-up may be left over
 * from an earlier analysis, or come from the other source. */
static void *watch(void *arg)
{
    struct cli_progress *progress = arg;
    double next_line = ms_clock_seconds() + progress->interval;
    bool cancelled = false;
    while (!finished(progress)) {
        bool drawing = progress->show && !cancelled;
        double now = ms_clock_seconds();
        if (drawing && now >= next_line) {
            draw(progress);
            next_line = now + progress->interval;
        }
        if (cli_stop_wait(drawing ? next_line - now : -1) && !cancelled) {
            ms_analyzer_cancel(progress->analyzer);
            cancelled = true;
        }
    }
    return NULL;
}

/* MARKETSIM_PROGRESS_SECONDS, when a positive number, else the default. */
static double line_interval(void)
{
    const char *text = getenv("MARKETSIM_PROGRESS_SECONDS");
    double seconds;
    return text != NULL && cli_parse_double(text, &seconds) && seconds > 0 ? seconds
                                                                            : DEFAULT_LINE_SECONDS;
}

cli_progress *cli_progress_start(const char *command, ms_analyzer *analyzer, bool quiet)
{
    cli_progress *progress = calloc(1, sizeof *progress);
    if (progress == NULL)
        return NULL; /* no progress line and no cancel: the run itself is unharmed */
    progress->command = command;
    progress->analyzer = analyzer;
    progress->show = !quiet;
    progress->terminal = isatty(STDERR_FILENO);
    progress->interval = progress->terminal ? TERMINAL_REDRAW_SECONDS : line_interval();
    pthread_mutex_init(&progress->lock, NULL);
    if (pthread_create(&progress->thread, NULL, watch, progress) != 0) {
        pthread_mutex_destroy(&progress->lock);
        free(progress);
        return NULL;
    }
    return progress;
}

void cli_progress_stop(cli_progress *progress)
{
    if (progress == NULL)
        return;
    pthread_mutex_lock(&progress->lock);
    progress->finished = true;
    pthread_mutex_unlock(&progress->lock);
    cli_stop_wake();
    pthread_join(progress->thread, NULL);
    if (progress->drawn > 0) {
        fprintf(stderr, "\r%*s\r", (int)progress->drawn, ""); /* the report starts on a clean line */
        fflush(stderr);
    }
    pthread_mutex_destroy(&progress->lock);
    free(progress);
}

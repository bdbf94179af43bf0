/*
 * cli.h - what the `marketsim` subcommands share: exit codes, the
 * subcommand signature and small argument helpers (args.c).
 */
#ifndef MS_CLI_H
#define MS_CLI_H

#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "marketsim/marketsim.h"

/* Exit codes of every subcommand. */
enum {
    CLI_EXIT_OK = 0,
    CLI_EXIT_FAILED = 1,   /* a runtime failure, or some symbols failed (report still printed) */
    CLI_EXIT_USAGE = 2,    /* bad flags or arguments */
    CLI_EXIT_STOPPED = 130 /* stopped by SIGINT or SIGTERM before the run was done */
};

/* A subcommand: argv[0] is its name. Returns an exit code. */
typedef int (*cli_command_fn)(int argc, char **argv);

int cli_analyze(int argc, char **argv);
int cli_backtest(int argc, char **argv);
int cli_forecast(int argc, char **argv);
int cli_model(int argc, char **argv);
int cli_cache(int argc, char **argv);
int cli_trade(int argc, char **argv);
int cli_account(int argc, char **argv);
/* `marketsim mpirun [LAUNCHER OPTIONS] analyze|trade ...`: the MPI job
 * through mpirun, ending with marketsim's exit codes (mpi_run.c). */
int cli_mpi_run(int argc, char **argv);

/* Opens `--data URI`: csv:DIR, synthetic[...] or alpaca[:TIMEFRAME], its
 * bars checked by `bars` (NULL: the defaults), `synthetic_bars` per
 * synthetic symbol (0: the default). On failure prints the error and
 * returns the exit code (0 on success). */
int cli_source_open(const char *command, const char *uri, const ms_bars_options *bars,
                    size_t synthetic_bars, ms_source **out);

/* The broker to open: `named` (--broker) when given, else the CLI's
 * default, Alpaca when its keys are configured and else the default sim
 * journal (ms_broker_default_uri, written into buffer). *uri is set. */
ms_status cli_broker_uri(const char *named, const ms_broker_options *opts, char *buffer,
                         size_t size, const char **uri);

/* ---- Model flags, shared by the subcommands that open a model (model_flags.c) */

typedef struct cli_model_args {
    const char *path;             /* --model: baseline, toto or a checkpoint directory */
    ms_model_options options;
} cli_model_args;

enum { CLI_OPT_MODEL = 1000, CLI_OPT_DEVICE, CLI_OPT_THREADS, CLI_OPT_MAX_BATCH,
       CLI_OPT_NO_KV_CACHE, CLI_OPT_PRECISION };

#define CLI_MODEL_FLAGS \
    { "model", required_argument, CLI_OPT_MODEL, "NAME", \
      "baseline (default), toto, a Toto checkpoint directory, or Kronos:\n" \
      "kronos-mini|kronos-small|kronos-base or a tokenizer/+model/ directory" }, \
    { "device", required_argument, CLI_OPT_DEVICE, "cpu|cuda", \
      "where the model runs (default cpu)" }, \
    { "threads", required_argument, CLI_OPT_THREADS, "N", \
      "model compute threads (default: all cores)" }, \
    { "max-batch", required_argument, CLI_OPT_MAX_BATCH, "N", \
      "most contexts per forward pass (default 64)" }, \
    { "no-kv-cache", no_argument, CLI_OPT_NO_KV_CACHE, NULL, \
      "re-run the whole sequence at every step beyond one patch" }, \
    { "precision", required_argument, CLI_OPT_PRECISION, "P", \
      "fp32 (default), bf16 (CPU with AVX512_BF16/AMX, or cuda) or int8\n" \
      "(CPU): what Toto's Linear layers compute in (MARKETSIM_PRECISION)" }

/* Sets *args to no --model and the library's default model options
 * (ms_model_options_init). Returns as cli_init_status. */
int cli_model_args_init(const char *command, cli_model_args *args);

/* Applies one model flag. Returns true when `option` was a model flag, with
 * *code set to CLI_EXIT_OK or a usage error's code. */
bool cli_model_flag(const char *command, int option, const char *value,
                    cli_model_args *args, int *code);

/* Opens the model the flags name; on failure prints the error and returns
 * the exit code to stop with (0 on success). */
int cli_model_open(const char *command, const cli_model_args *args, ms_model **out);

/* Prints "marketsim: <message>" to stderr and returns CLI_EXIT_USAGE. */
int cli_usage_error(const char *command, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* One flag of a command's table (flags.c, help.c): what getopt_long needs and its
 * line in --help, in one place. A table ends with { NULL }. */
typedef struct cli_flag {
    const char *name;      /* the long name, without "--" */
    int has_arg;           /* no_argument or required_argument */
    int val;               /* the code the command's apply function receives; 'h': help */
    const char *metavar;   /* the value's name in --help ("N", "URI"); NULL for a switch */
    const char *help;      /* what it does; '\n' continues on the next line */
} cli_flag;

#define CLI_HELP_FLAG { "help", no_argument, 'h', NULL, "this help" }

/* The text around a command's generated option lines. */
typedef struct cli_usage {
    const char *synopsis;  /* "usage: ..." and the description, ending with a blank line */
    const char *epilog;    /* after a blank line (exit status...); NULL for none */
} cli_usage;

/* The whole --help of a flag table: synopsis, one entry per flag, epilog
 * (malloc'ed; exits on out-of-memory). */
char *cli_help_text(const cli_flag *flags, const cli_usage *usage);

/* cli_help_text written to `out` (stdout for --help, stderr after a usage
 * error). */
void cli_help_print(FILE *out, const cli_flag *flags, const cli_usage *usage);

/* Applies one parsed flag to a command's argument struct; returns
 * CLI_EXIT_OK or the exit code to stop with. */
typedef int (*cli_flag_fn)(void *args, int option, const char *value);

/*
 * The flag loop every subcommand shares (flags.c): getopt_long over the
 * configuration file's entries for `command` (see below) and then argv,
 * with the table `flags` gives; -h/--help prints the help generated from
 * `flags` and `usage` and returns CLI_EXIT_OK; an unknown flag (with the
 * closest name suggested), a missing value or a stray operand is a usage
 * error; every other flag goes to `apply`. `--config FILE` in argv chooses
 * the file unless `flags` has its own --config. Returns -1 when all flags
 * were applied, else the exit code to stop with (CLI_EXIT_OK after
 * printing the settings in config-show mode).
 */
int cli_parse_flag_table(const char *command, int argc, char **argv, const cli_flag *flags,
                         const cli_usage *usage, cli_flag_fn apply, void *args);

/* `marketsim config show`: cli_parse_flag_table prints the effective settings
 * and where each came from, and stops the command before it runs. */
void cli_flags_show_only(bool show);

/* ---- The configuration file (config.c) ---------------------------------- */

/* One `key = value` line of the file, in file order. */
typedef struct cli_config_entry {
    char *section;               /* "common", "analyze", "model info", ... */
    char *key;                   /* the long flag's name ('_' read as '-') */
    char *value;
    int line;
    char *argument;              /* "--key=value", built by flags.c, owned here */
} cli_config_entry;

/* Chooses the file (--config FILE); a missing chosen file is an error. */
void cli_config_use(const char *path);

/* The file chosen with --config, NULL when none was (mpi_run.c passes it
 * on to the ranks). */
const char *cli_config_chosen(void);

/* Reads the file once per run; false, with "FILE:LINE: ..." on stderr,
 * when it cannot be read or a line or section is wrong. A missing default
 * file is no error (and no entries). */
bool cli_config_load(void);

/* The file read (NULL when none) and its entries. */
const char *cli_config_path(void);
size_t cli_config_count(void);
const cli_config_entry *cli_config_entry_at(size_t i);

/* Frees the entries (the values flags point into stay valid until then). */
void cli_config_release(void);

/* `marketsim config show COMMAND [flags]` (cmd_config.c). */
int cli_config(int argc, char **argv);

/* The subcommand called `name` (NULL when none), and every name (marketsim.c). */
cli_command_fn cli_command_find(const char *name);
size_t cli_command_names(const char **names, size_t capacity);

/* The name in `names` closest to `word`, NULL when none is close enough
 * to be a typo of it (suggest.c); the same over a flag table's names. */
const char *cli_closest(const char *word, const char *const *names, size_t count);
const char *cli_closest_option(const char *word, const struct option *options);

/* Parses a whole decimal size_t / int / double; false on any leftover text. */
bool cli_parse_size(const char *text, size_t *out);
bool cli_parse_int(const char *text, int *out);
bool cli_parse_double(const char *text, double *out);

/* A growable list of symbol names, upper-cased, owned by the list. */
typedef struct cli_symbols {
    char **names;
    size_t count;
    size_t capacity;
} cli_symbols;

/* Appends the names in `text`, separated by commas, spaces or newlines;
 * '#' starts a comment to the end of the line. False on out-of-memory. */
bool cli_symbols_add_list(cli_symbols *symbols, const char *text);

/* Appends the names in a file (same syntax). False with a message on stderr
 * when the file cannot be read. */
bool cli_symbols_add_file(cli_symbols *symbols, const char *path);

void cli_symbols_free(cli_symbols *symbols);

/* ---- Analysis flags, shared by `analyze` and `trade`, and the strategy
 * flags and report printing `backtest` also uses (analyze_flags.c) ------- */

typedef struct cli_analysis_args {
    cli_symbols symbols;
    const char *data;             /* --data: a source URI, NULL = synthetic */
    const char *html;             /* --html: also write the HTML report there, NULL = none */
    cli_model_args model;
    size_t bars;                  /* --bars: synthetic bars per symbol */
    bool quiet;                   /* --quiet: no progress line */
    bool wide;                    /* --wide: the wide text table */
    ms_analyzer_options analyzer;
    ms_bars_options validation;
} cli_analysis_args;

enum { CLI_OPT_SYMBOLS = 1100, CLI_OPT_SYMBOLS_FILE, CLI_OPT_DATA, CLI_OPT_BARS, CLI_OPT_REPAIR,
       CLI_OPT_SIMULATIONS, CLI_OPT_EVAL_DAYS, CLI_OPT_CONTEXT, CLI_OPT_AGGREGATE,
       CLI_OPT_SAMPLES, CLI_OPT_SEED, CLI_OPT_WORKERS, CLI_OPT_SEQUENTIAL, CLI_OPT_WARMUP,
       CLI_OPT_BATCH_SIZE, CLI_OPT_ABLATE, CLI_OPT_HTML, CLI_OPT_POSITION_SIZE,
       CLI_OPT_MAX_POSITIONS, CLI_OPT_STOCK_FEE, CLI_OPT_CRYPTO_FEE, CLI_OPT_AS_OF,
       CLI_OPT_FILLS, CLI_OPT_OFFSETS, CLI_OPT_REFERENCE,
       CLI_OPT_CACHE, CLI_OPT_QUIET, CLI_OPT_WIDE };

#define CLI_ANALYSIS_FLAGS \
    { "symbols", required_argument, CLI_OPT_SYMBOLS, "LIST", \
      "comma-separated symbols (e.g. AAPL,MSFT,BTCUSD)" }, \
    { "symbols-file", required_argument, CLI_OPT_SYMBOLS_FILE, "FILE", \
      "symbols from a file (commas, spaces or lines; # comments)" }, \
    { "data", required_argument, CLI_OPT_DATA, "URI", \
      "csv:DIR, synthetic[:seed=N][,bars=N] (default) or alpaca[:TIMEFRAME]" }, \
    { "bars", required_argument, CLI_OPT_BARS, "N", \
      "bars per symbol of the synthetic market (default 1000)" }, \
    { "repair-ohlc", no_argument, CLI_OPT_REPAIR, NULL, \
      "widen inconsistent high/low with a warning instead of failing" }, \
    CLI_MODEL_FLAGS, \
    { "context-length", required_argument, CLI_OPT_CONTEXT, "N", \
      "most percent changes fed to the model (default 512)" }, \
    { "aggregate", required_argument, CLI_OPT_AGGREGATE, "NAME", \
      "mean | median | trimmed_mean_X | quantile_Q (default mean)" }, \
    { "samples", required_argument, CLI_OPT_SAMPLES, "N", \
      "samples per forecast; 0 = exact aggregates (default 0)" }, \
    { "seed", required_argument, CLI_OPT_SEED, "N", "sampling seed (default 0)" }, \
    { "workers", required_argument, CLI_OPT_WORKERS, "N", \
      "worker threads (MARKETSIM_PARALLEL_WORKERS, default min(32, cpus+4))" }, \
    { "sequential", no_argument, CLI_OPT_SEQUENTIAL, NULL, \
      "one symbol at a time (MARKETSIM_PARALLEL_ANALYSIS=0)" }, \
    { "warmup", no_argument, CLI_OPT_WARMUP, NULL, \
      "run the model once before the first symbol (MARKETSIM_WARMUP_MODELS=1)" }, \
    { "batch-size", required_argument, CLI_OPT_BATCH_SIZE, "N", \
      "contexts per model call (default: the model's --max-batch)" }, \
    { "ablate", required_argument, CLI_OPT_ABLATE, "LIST", \
      "diagnosis only: no-dedup,rerun-samples,symbol-batches,no-overlap,\n" \
      "shared-batches" }, \
    { "cache", required_argument, CLI_OPT_CACHE, "PATH|off", \
      "the forecast cache file (MARKETSIM_CACHE, default\n" \
      "$XDG_CACHE_HOME/marketsim/forecasts.sqlite); off: none" }, \
    { "quiet", no_argument, CLI_OPT_QUIET, NULL, \
      "no progress line (it goes to stderr: redrawn on a terminal, else\n" \
      "a line every MARKETSIM_PROGRESS_SECONDS, default 5)" }, \
    CLI_STRATEGY_FLAGS

/* The flags of the backtest, plan and picks that do not depend on where
 * the forecasts come from: `analyze`, `trade` and `backtest` (user
 * forecasts) all take them, so a flag added here reaches all three. */
#define CLI_STRATEGY_FLAGS \
    { "simulations", required_argument, CLI_OPT_SIMULATIONS, "N", \
      "walk-forward simulations (MARKETSIM_BACKTEST_SIMULATIONS, default 70)" }, \
    { "eval-days", required_argument, CLI_OPT_EVAL_DAYS, "N", \
      "evaluation days per simulation (default 6)" }, \
    { "html", required_argument, CLI_OPT_HTML, "FILE", \
      "also write the report as one self-contained HTML page with charts" }, \
    { "position-size", required_argument, CLI_OPT_POSITION_SIZE, "F", \
      "each pick's share of equity, 0 < F <= 1 (MARKETSIM_POSITION_SIZE,\n" \
      "default 1 / max positions)" }, \
    { "max-positions", required_argument, CLI_OPT_MAX_POSITIONS, "N", \
      "picks at most (MARKETSIM_MAX_POSITIONS, default 10)" }, \
    { "stock-fee", required_argument, CLI_OPT_STOCK_FEE, "F", \
      "stock fee per side, a fraction; 0 = none (MARKETSIM_STOCK_FEE,\n" \
      "default 0.0005)" }, \
    { "crypto-fee", required_argument, CLI_OPT_CRYPTO_FEE, "F", \
      "crypto fee per side (MARKETSIM_CRYPTO_FEE, default 0.001)" }, \
    { "as-of", required_argument, CLI_OPT_AS_OF, "YYYY-MM-DD[THH:MM]", \
      "judge data freshness at this UTC time (a date: its end;\n" \
      "default: the newest bar's day)" }, \
    { "fills", required_argument, CLI_OPT_FILLS, "MODEL", \
      "bar-path (default) | worst | reference: where limit orders fill" }, \
    { "offsets", required_argument, CLI_OPT_OFFSETS, "MODE", \
      "walk-forward (default): MaxDiff offsets fitted on the days before\n" \
      "each window | in-sample: on the window itself (the original's)" }, \
    { "reference", no_argument, CLI_OPT_REFERENCE, NULL, \
      "the original's rules: --fills reference --offsets in-sample" }, \
    { "wide", no_argument, CLI_OPT_WIDE, NULL, \
      "the wide table (about 150 columns; default: at most 100)" }

/* Applies one analysis (or model) flag. Returns true when `option` was
 * one, with *code set to CLI_EXIT_OK or the code to stop with. */
bool cli_analysis_flag(const char *command, int option, const char *value,
                       cli_analysis_args *args, int *code);

/*
 * The flag loop of the commands built on an analysis (analyze, backtest,
 * trade): *analysis set to no flags given (the library's default options,
 * through their ms_*_options_init), then cli_parse_flag_table, each flag
 * offered first to `own` (the command's own flags, applied to `args`; it
 * returns CLI_NOT_OWN_FLAG for any other), then to the analysis flags
 * (applied to `analysis`, the cli_analysis_args inside `args`); anything
 * else is an unknown option. Returns as cli_parse_flag_table.
 */
#define CLI_NOT_OWN_FLAG (-1)
int cli_parse_analysis_flags(const char *command, int argc, char **argv, const cli_flag *flags,
                             const cli_usage *usage, cli_flag_fn own, void *args,
                             cli_analysis_args *analysis);

/* After parsing: a usage error when no symbols were given, else CLI_EXIT_OK. */
int cli_analysis_check(const char *command, const cli_analysis_args *args);

/* Opens the data source and the model the flags name; on failure prints
 * the error and returns the exit code (the caller frees what was opened). */
int cli_analysis_open(const char *command, const cli_analysis_args *args, ms_source **source,
                      ms_model **model);

/* Runs the analysis of the flags' symbols (a progress line on stderr unless
 * --quiet); *out receives the report, also written as HTML when --html was
 * given; its warnings and per-symbol errors are printed on stderr. On
 * failure prints the error, returns the code: CLI_EXIT_STOPPED, with no
 * report, once a stop was requested (cli_stop_install). */
int cli_analysis_run(const char *command, const cli_analysis_args *args, ms_source *source,
                     ms_model *model, ms_report **out);


/* After a report is made: its warnings on stderr, and the HTML page written
 * to `html` when not NULL. Returns CLI_EXIT_OK or the code to stop with. */
int cli_report_finish(const char *command, const char *html, const ms_report *report);

/* Prints the report on stdout as the text table (wide or at most 100
 * columns) or one JSON document.
 * Returns CLI_EXIT_FAILED when some symbol failed, else CLI_EXIT_OK (or
 * the code of a failure to render it). */
int cli_report_print(const char *command, const ms_report *report, bool json, bool wide);

/* ---- Stopping and progress (stop.c, progress.c) -------------------------- */

/* Handles SIGINT and SIGTERM: the first prints "stopping" and requests a
 * stop (and ends the library's HTTP waits), or with `at_once` exits with
 * CLI_EXIT_STOPPED; a second one exits at once. */
void cli_stop_install(bool at_once);

/* Whether a stop was requested, and the flag itself (ms_trade_options.stop). */
bool cli_stop_requested(void);
const volatile sig_atomic_t *cli_stop_flag(void);

/* Sleeps until a stop is requested, cli_stop_wake is called, or `seconds`
 * pass (< 0: no limit); returns cli_stop_requested(). A wake-up may also
 * be left over from an earlier call: callers re-check what they wait for. */
bool cli_stop_wait(double seconds);

/* Wakes a thread in cli_stop_wait (one wait returns early). */
void cli_stop_wake(void);

/* The progress line of a running analysis, and the watcher that cancels it
 * when a stop is requested (even with `quiet`). NULL when it could not be
 * started; cli_progress_stop(NULL) does nothing. */
typedef struct cli_progress cli_progress;
cli_progress *cli_progress_start(const char *command, ms_analyzer *analyzer, bool quiet);

/* Ends the watcher and clears the line from the terminal. */
void cli_progress_stop(cli_progress *progress);

/* Prints "marketsim <command>: <what>: <last error>" and returns the exit
 * code: a malformed option (MS_ERR_INVALID_ARG) is a usage error. */
int cli_setup_error(const char *command, const char *what, ms_status status);

/* The status of an ms_<thing>_options_init(&o, MS_<THING>_OPTIONS_VERSION)
 * call, the way the CLI fills every options struct (args.c): CLI_EXIT_OK,
 * or after printing "marketsim <command>: <what>: <last error>"
 * CLI_EXIT_FAILED. Only a library older than the header this marketsim was
 * built with refuses the version: no flag of the user's is at fault. */
int cli_init_status(const char *command, const char *what, ms_status status);

#endif

/*
 * cmd_trade.c - `marketsim trade`: analyze, plan the orders (ms_trade_plan),
 * send them unless --dry-run, print what was placed; once, or with --loop
 * at scheduled US/Eastern times until SIGINT/SIGTERM.
 *
 * Paper is the default. --live needs MARKETSIM_LIVE_TRADING=yes too, and
 * PAPER=1 forces paper: ms_broker_open enforces both, and the broker is
 * opened before the data and the model so a refusal comes at once. A
 * simulated broker is first synced to the data's latest bar, so it fills
 * what the bars since the last cycle reached before the cycle reads the
 * account.
 *
 * Test hook: MARKETSIM_TEST_KILL_AFTER_SUBMITS=N makes the process kill
 * itself (SIGKILL, no cleanup) right after its Nth acknowledged order, to
 * test that a re-run places no order twice. Not for production use.
 */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "mpi_shard.h"
#include "marketsim/marketsim.h"

static const cli_usage usage = {
    "usage: marketsim trade --symbols A,B,... [options]\n"
    "\n"
    "Analyzes the symbols, plans orders for the picks (one OTO order each: a limit\n"
    "entry with its take profit) and closes positions whose forecast flipped or whose\n"
    "strategy return turned negative; prints the plan, sends it, prints the results.\n"
    "\n",
    "Exit status: 0 success (or --loop stopped by a signal between cycles), 1 a symbol\n"
    "or an order failed or the cycle could not run, 2 usage error or live trading\n"
    "refused, 130 stopped by SIGINT/SIGTERM during a cycle (a cancelled analysis places\n"
    "no order; a second signal exits at once).\n",
};

#define MAX_TIMES 16

typedef struct trade_args {
    cli_analysis_args analysis;
    const char *broker;
    int live, dry_run, loop, all_days, json;
    size_t cycles;                 /* 0: unbounded */
    double sim_cash;
    int times[MAX_TIMES];          /* seconds after midnight US/Eastern */
    size_t time_count;
    size_t kill_after;             /* the test hook; 0 off */
} trade_args;

enum { OPT_BROKER = 256, OPT_PAPER, OPT_LIVE, OPT_DRY_RUN, OPT_SIM_CASH, OPT_LOOP, OPT_AT,
       OPT_ALL_DAYS, OPT_CYCLES, OPT_JSON };

static const cli_flag flags[] = {
    { "broker", required_argument, OPT_BROKER, "alpaca|sim:PATH",
      "the broker (default: alpaca when APCA_API_KEY_ID is set,\n"
      "else sim:$XDG_STATE_HOME/marketsim/sim.journal)" },
    { "paper", no_argument, OPT_PAPER, NULL, "paper trading (the default; PAPER=1 forces it)" },
    { "live", no_argument, OPT_LIVE, NULL, "live trading: also needs MARKETSIM_LIVE_TRADING=yes" },
    { "dry-run", no_argument, OPT_DRY_RUN, NULL, "plan and print, send nothing" },
    { "sim-cash", required_argument, OPT_SIM_CASH, "N",
      "starting cash of a new sim journal (default 100000)" },
    { "loop", no_argument, OPT_LOOP, NULL, "run a cycle at each --at time until SIGINT or SIGTERM" },
    { "at", required_argument, OPT_AT, "HH:MM[,HH:MM...]",
      "US/Eastern cycle times for --loop (default 09:35,15:50)" },
    { "all-days", no_argument, OPT_ALL_DAYS, NULL,
      "with --loop, weekends too (crypto); default weekdays" },
    { "cycles", required_argument, OPT_CYCLES, "N", "with --loop, stop after N cycles" },
    { "json", no_argument, OPT_JSON, NULL,
      "one JSON document per cycle: {\"analysis\": ..., \"trade\": ...}" },
    CLI_ANALYSIS_FLAGS,
    CLI_HELP_FLAG,
    { NULL },
};

/* "HH:MM" or "HH:MM:SS" -> seconds after midnight. */
static bool parse_time(const char *text, size_t length, int *out)
{
    int hours = 0, minutes = 0, seconds = 0, used = 0;
    char copy[16];
    if (length == 0 || length >= sizeof copy)
        return false;
    memcpy(copy, text, length);
    copy[length] = '\0';
    int fields = sscanf(copy, "%2d:%2d%n:%2d%n", &hours, &minutes, &used, &seconds, &used);
    if (fields < 2 || (size_t)used != length || hours > 23 || minutes > 59 || seconds > 59 ||
        hours < 0 || minutes < 0 || seconds < 0)
        return false;
    *out = hours * 3600 + minutes * 60 + seconds;
    return true;
}

static int parse_times(trade_args *args, const char *list)
{
    args->time_count = 0;
    for (const char *item = list; *item != '\0';) {
        size_t length = strcspn(item, ",");
        if (args->time_count == MAX_TIMES ||
            !parse_time(item, length, &args->times[args->time_count++]))
            return cli_usage_error("trade", "--at needs up to %d times HH:MM[:SS] separated by "
                                   "commas, got '%s'", MAX_TIMES, list);
        item += length + (item[length] == ',');
    }
    return args->time_count > 0 ? CLI_EXIT_OK : cli_usage_error("trade", "--at needs a time");
}

static int apply_flag(void *context, int option, const char *value)
{
    trade_args *args = context;
    switch (option) {
    case OPT_BROKER: args->broker = value; return CLI_EXIT_OK;
    case OPT_PAPER: args->live = 0; return CLI_EXIT_OK;
    case OPT_LIVE: args->live = 1; return CLI_EXIT_OK;
    case OPT_DRY_RUN: args->dry_run = 1; return CLI_EXIT_OK;
    case OPT_LOOP: args->loop = 1; return CLI_EXIT_OK;
    case OPT_ALL_DAYS: args->all_days = 1; return CLI_EXIT_OK;
    case OPT_JSON: args->json = 1; return CLI_EXIT_OK;
    case OPT_AT: return parse_times(args, value);
    case OPT_CYCLES:
        if (!cli_parse_size(value, &args->cycles) || args->cycles == 0)
            return cli_usage_error("trade", "--cycles needs a positive integer, got '%s'", value);
        return CLI_EXIT_OK;
    case OPT_SIM_CASH:
        if (!cli_parse_double(value, &args->sim_cash) || !(args->sim_cash > 0))
            return cli_usage_error("trade", "--sim-cash needs a positive amount, got '%s'", value);
        return CLI_EXIT_OK;
    }
    return CLI_NOT_OWN_FLAG;
}

/* Checks what only makes sense together; -1 to go on, else an exit code. */
static int check_args(trade_args *args)
{
    int code = cli_analysis_check("trade", &args->analysis);
    if (code != CLI_EXIT_OK)
        return code;
    if (args->cycles > 0 && !args->loop)
        return cli_usage_error("trade", "--cycles only bounds --loop");
    const char *kill_after = getenv("MARKETSIM_TEST_KILL_AFTER_SUBMITS");
    if (kill_after != NULL && !cli_parse_size(kill_after, &args->kill_after))
        return cli_usage_error("trade", "MARKETSIM_TEST_KILL_AFTER_SUBMITS must be a count, got "
                               "'%s'", kill_after);
    return -1;
}

static int parse_args(int argc, char **argv, trade_args *args)
{
    int code = cli_parse_analysis_flags("trade", argc, argv, flags, &usage, apply_flag, args,
                                        &args->analysis);
    return code >= 0 ? code : check_args(args);
}

/* The test hook: counts acknowledged orders and dies on the Nth, like a
 * crash (no flushing, no cleanup). */
typedef struct step_watch {
    size_t kill_after;
    size_t orders;
} step_watch;

static void watch_step(void *context, const ms_trade_step *step)
{
    step_watch *watch = context;
    bool order = step->action == MS_TRADE_ENTER || step->action == MS_TRADE_CLOSE;
    if (order && step->outcome == MS_TRADE_SENT && ++watch->orders == watch->kill_after)
        raise(SIGKILL);
}

/* The newest bar among the symbols (0 when none loads: the analysis will
 * name the symbols that fail). */
static int64_t latest_bar(ms_source *source, const cli_symbols *symbols)
{
    int64_t latest = 0;
    for (size_t i = 0; i < symbols->count; i++) {
        ms_bars *bars = NULL;
        if (ms_source_load(source, symbols->names[i], &bars) != MS_OK)
            continue;
        int64_t last = ms_bars_timestamps(bars)[ms_bars_len(bars) - 1];
        latest = last > latest ? last : latest;
        ms_bars_free(bars);
    }
    return latest;
}

/* A simulated broker fills against the data first: the cycle then sees
 * what the bars since the last cycle did to the account. */
static int sync_sim(ms_broker *broker, ms_source *source, const trade_args *args)
{
    if (strcmp(ms_broker_name(broker), "sim") != 0)
        return CLI_EXIT_OK;
    int64_t now = latest_bar(source, &args->analysis.symbols);
    ms_status status = now > 0 ? ms_broker_sync(broker, source, now) : MS_OK;
    return status == MS_OK ? CLI_EXIT_OK : cli_setup_error("trade", "syncing the sim broker", status);
}

/* Picks are sized from the broker's account, not the analyzer's defaults
 * (a buying power of 0 is real: nothing can be bought), and freshness is
 * judged at the broker's clock unless --as-of says otherwise. A failure to
 * read either shows, with its message, when the plan reads them. */
static void settle_on_broker(ms_broker *broker, ms_analyzer_options *options)
{
    ms_market_clock clock;
    if (options->as_of == 0 && ms_broker_clock(broker, &clock) == MS_OK && clock.timestamp > 0)
        options->as_of = clock.timestamp;
    ms_account account;
    if (ms_broker_account(broker, &account) != MS_OK || !(account.equity > 0))
        return;
    options->equity = account.equity;
    options->buying_power = account.buying_power > 0 ? account.buying_power : 0.0;
}

typedef ms_status (*text_fn)(const ms_trade_result *result, char **out);

static int print_text(const ms_trade_result *result, text_fn write)
{
    char *text = NULL;
    ms_status status = write(result, &text);
    if (status != MS_OK)
        return cli_setup_error("trade", "writing the plan", status);
    fputs(text, stdout);
    ms_free(text);
    return CLI_EXIT_OK;
}

static int print_json(const ms_report *report, const ms_trade_result *result)
{
    char *analysis = NULL, *trade = NULL;
    ms_status status = ms_report_to_json(report, &analysis);
    if (status == MS_OK)
        status = ms_trade_result_to_json(result, &trade);
    if (status == MS_OK)
        printf("{\"analysis\": %s,\n\"trade\": %s}\n", analysis, trade);
    ms_free(analysis);
    ms_free(trade);
    return status == MS_OK ? CLI_EXIT_OK : cli_setup_error("trade", "writing JSON", status);
}

static int print_report(const ms_report *report, bool wide)
{
    char *text = NULL;
    ms_status status = ms_report_to_text_layout(report, wide ? MS_REPORT_TEXT_WIDE : 0, &text);
    if (status != MS_OK)
        return cli_setup_error("trade", "writing the report", status);
    printf("%s\n", text);
    ms_free(text);
    return CLI_EXIT_OK;
}

/* Sends the plan made with `planned`, watching each step. */
static void execute(const trade_args *args, ms_broker *broker, const ms_trade_options *planned,
                    ms_trade_result *result)
{
    step_watch watch = { args->kill_after, 0 };
    ms_trade_options options = *planned;
    options.on_step = watch_step;
    options.context = &watch;
    options.stop = cli_stop_flag();
    ms_trade_execute(broker, result, &options);
}

/* Prints the report and the plan, sends it, prints the results. */
static int trade_report(const trade_args *args, ms_broker *broker, const ms_report *report)
{
    ms_trade_options options;
    int code = cli_init_status("trade", "trade options",
                               ms_trade_options_init(&options, MS_TRADE_OPTIONS_VERSION));
    if (code != CLI_EXIT_OK)
        return code;
    options.dry_run = args->dry_run;
    ms_trade_result *result = NULL;
    ms_status status = ms_trade_plan(broker, report, &options, &result);
    code = status != MS_OK ? cli_setup_error("trade", "planning", status) : CLI_EXIT_OK;
    if (code == CLI_EXIT_OK && !args->json)
        code = print_report(report, args->analysis.wide);
    if (code == CLI_EXIT_OK && !args->json)
        code = print_text(result, ms_trade_plan_to_text);
    fflush(stdout);
    if (code == CLI_EXIT_OK && !args->dry_run)
        execute(args, broker, &options, result);
    if (code == CLI_EXIT_OK && !args->json)
        fputc('\n', stdout);
    if (code == CLI_EXIT_OK)
        code = args->json ? print_json(report, result) : print_text(result, ms_trade_result_to_text);
    if (code == CLI_EXIT_OK && ms_trade_result_summary(result)->failed > 0)
        code = CLI_EXIT_FAILED;
    if (code == CLI_EXIT_OK && ms_trade_result_summary(result)->stopped)
        code = CLI_EXIT_STOPPED;
    ms_trade_result_free(result);
    return code;
}

static int run_cycle(const trade_args *args, ms_source *source, ms_model *model, ms_broker *broker)
{
    cli_analysis_args analysis = args->analysis;
    ms_report *report = NULL;
    /* MPI ranks other than 0 have no broker: they only analyse a share. */
    int code = broker != NULL ? sync_sim(broker, source, args) : CLI_EXIT_OK;
    if (broker != NULL)
        settle_on_broker(broker, &analysis.analyzer);
    if (code == CLI_EXIT_OK)
        code = cli_analysis_run("trade", &analysis, source, model, &report);
    if (code == CLI_EXIT_OK)
        code = trade_report(args, broker, report);
    if (code == CLI_EXIT_OK && ms_report_error_count(report) > 0)
        code = CLI_EXIT_FAILED;
    ms_report_free(report);
    fflush(stdout);
    return code;
}

/* Sleeps until `when` (UTC seconds); a stop wakes it at once. False when
 * stopped. */
static bool sleep_until(int64_t when)
{
    while (!cli_stop_requested()) {
        int64_t now = (int64_t)time(NULL);
        if (now >= when)
            return true;
        cli_stop_wait((double)(when - now));
    }
    return false;
}

static void announce(int64_t when)
{
    time_t eastern = (time_t)(when + ms_us_eastern_offset(when));
    struct tm wall;
    char text[32] = "?";
    if (gmtime_r(&eastern, &wall) != NULL)
        strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &wall);
    fprintf(stderr, "marketsim trade: next cycle at %s US/Eastern\n", text);
}

/* Cycles at the scheduled times; a failed cycle does not end the loop. */
static int run_loop(const trade_args *args, ms_source *source, ms_model *model, ms_broker *broker)
{
    int worst = CLI_EXIT_OK;
    for (size_t done = 0; args->cycles == 0 || done < args->cycles; done++) {
        int64_t next = 0;
        ms_status status = ms_trade_next_time((int64_t)time(NULL), args->times, args->time_count,
                                              args->all_days, &next);
        if (status != MS_OK)
            return cli_setup_error("trade", "schedule", status);
        announce(next);
        if (!sleep_until(next))
            break;
        int code = run_cycle(args, source, model, broker);
        if (code == CLI_EXIT_USAGE || code == CLI_EXIT_STOPPED)
            return code;
        worst = code > worst ? code : worst;
    }
    return worst;
}

/* The broker opens first, so a refused --live costs no model loading. */
static int open_broker(const trade_args *args, ms_broker **out)
{
    /* Without keys the default broker is the simulated one: a --live run
     * would be refused for the sim's sake, not for the missing keys. */
    const char *key_id = getenv("APCA_API_KEY_ID");
    if (args->live && args->broker == NULL && (key_id == NULL || *key_id == '\0'))
        return cli_usage_error("trade", "--live trades through Alpaca and needs its API keys: set "
                               "APCA_API_KEY_ID and APCA_API_SECRET_KEY");
    ms_broker_options options;
    int code = cli_init_status("trade", "broker options",
                               ms_broker_options_init(&options, MS_BROKER_OPTIONS_VERSION));
    if (code != CLI_EXIT_OK)
        return code;
    options.live = args->live;
    options.sim_cash = args->sim_cash;
    /* A dry run changes nothing: the sim's sync stays in memory. */
    options.read_only = args->dry_run;
    options.from_env = 1;
    char buffer[4096];
    const char *uri = NULL;
    ms_status status = cli_broker_uri(args->broker, &options, buffer, sizeof buffer, &uri);
    if (status == MS_OK)
        status = ms_broker_open(out, uri, &options);
    if (status != MS_OK)
        return cli_setup_error("trade", "broker", status);
    if (args->live && strcmp(ms_broker_name(*out), "sim") == 0)
        return cli_usage_error("trade", "--live: the simulated broker has no live account");
    return CLI_EXIT_OK;
}

/* A real broker trades on real prices: its own market data unless --data
 * names another real source; the built-in synthetic market would price
 * real orders from made-up bars. */
static int choose_data(trade_args *args, const ms_broker *broker)
{
    if (strcmp(ms_broker_name(broker), "sim") == 0)
        return CLI_EXIT_OK;
    if (args->analysis.data == NULL) {
        args->analysis.data = "alpaca";
        return CLI_EXIT_OK;
    }
    if (strncmp(args->analysis.data, "synthetic", 9) == 0)
        return cli_usage_error("trade", "--data %s: the synthetic market is made up, and %s trades "
                               "real orders; use --data alpaca (the default with this broker) or "
                               "csv:DIR, or --broker sim:PATH to practise on synthetic prices",
                               args->analysis.data, ms_broker_name(broker));
    return CLI_EXIT_OK;
}

static int trade_with(trade_args *args, ms_broker *broker)
{
    ms_source *source = NULL;
    ms_model *model = NULL;
    int code = broker != NULL ? choose_data(args, broker) : CLI_EXIT_OK;
    char *shared_data = cli_mpi_share_text(&args->analysis.data);
    if (code == CLI_EXIT_OK && args->loop && cli_mpi_active())
        code = cli_usage_error("trade", "--loop runs in one process, not over MPI ranks");
    if (code == CLI_EXIT_OK)
        code = cli_analysis_open("trade", &args->analysis, &source, &model);
    if (code == CLI_EXIT_OK)
        code = args->loop ? run_loop(args, source, model, broker)
                          : run_cycle(args, source, model, broker);
    ms_model_free(model);
    ms_source_free(source);
    if (shared_data != NULL) {
        args->analysis.data = NULL; /* it pointed at the shared copy */
        free(shared_data);
    }
    return code;
}

int cli_trade(int argc, char **argv)
{
    trade_args args = { .times = { 9 * 3600 + 35 * 60, 15 * 3600 + 50 * 60 }, .time_count = 2 };
    int code = parse_args(argc, argv, &args);
    if (code < 0) {
        /* SIGINT and SIGTERM cancel the analysis, or end the run between
         * steps: the order being sent is finished (and journaled), the
         * rest wait for the next cycle. */
        cli_stop_install(false);
        ms_broker *broker = NULL;
        code = cli_mpi_start("trade");
        if (code == CLI_EXIT_OK && !cli_mpi_worker())
            code = open_broker(&args, &broker);
        if (code == CLI_EXIT_OK)
            code = trade_with(&args, broker);
        ms_broker_free(broker);
        /* The exit code stays what the run earned: a cycle that failed
         * before or because of the stop is still a failure. */
        if (cli_stop_requested())
            fprintf(stderr, "marketsim trade: stopped by a signal; every acknowledged order is "
                            "recorded by the broker\n");
    }
    cli_symbols_free(&args.analysis.symbols);
    return code;
}

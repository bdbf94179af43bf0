/*
 * soak_trade.c - the trade loop against the local Alpaca stand-in
 * (tests/servers/fake_alpaca.py) with injected faults, for many cycles in
 * one process (`make soak`).
 *
 *   soak_trade [--cycles N] [--seed N]     (or SOAK_CYCLES, SOAK_SEED; 200, 1)
 *
 * Each cycle is one trading day: the server's clock moves a weekday on (so
 * each day has its own client_order_ids), it gets the day's positions and
 * lets most earlier orders expire; the synthetic market of the day's seed
 * is analyzed with the baseline model; then, with a random mix of faults
 * queued, one ms_trade_cycle runs against an Alpaca broker on the server.
 * A cycle that fails (its plan, or a step after the client's retries) is
 * run again the same day, as an operator or `--loop` would, until nothing
 * fails. Every ENTER and CLOSE step goes into a ledger; at the end the
 * server's orders must equal the ledger exactly (none duplicated, none
 * lost, none extra) and the process's RSS must not have grown after the
 * warm-up (beyond allocator noise, RSS_GROWTH_BOUND_KB). Exit status 0 when
 * both hold, 1 otherwise.
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "marketsim/marketsim.h"
#include "soak/soak.h"
#include "support/fake_alpaca.h"
#include "support/temp_dir.h"

#define DEFAULT_CYCLES 200
/* The client's request timeout: as in test_alpaca_faults.c, short enough to
 * keep delays cheap, long enough for an unloaded local server. */
#define REQUEST_TIMEOUT 0.5
/* Faults queued before each attempt: 0 to this many (3 takes a default
 * run past five minutes, the lookups after a lost post being slow). */
#define MOST_FAULTS 2
/* Attempts of one day before the soak gives up on it. */
#define MAX_ATTEMPTS 10
/* Positions the server reports each day: 0 to this many, on random
 * symbols and sides (a side against the forecast makes a close). */
#define MAX_POSITIONS 2
/*
 * The warm-up is the first tenth of the cycles, but at least this many:
 * over the first ones the heap, libcurl's connection cache and the working
 * orders the server lists (one per symbol at most) reach their working size.
 */
#define MIN_WARM_UP 20
/*
 * RSS may grow by less than this between the end of the warm-up and the
 * end. Everything the soak itself keeps is allocated before the warm-up
 * ends, and what a cycle allocates is freed by its end, so what remains is
 * allocator noise: with one malloc arena (see main) +56 kB over cycles
 * 20-100 in the run this bound was set from. 1 MiB leaves room for that
 * and still catches a leak of ~250 bytes per request (~25 requests a
 * cycle) over the default 180 cycles after the warm-up.
 */
#define RSS_GROWTH_BOUND_KB 1024

static const char *const universe[] = { "AAPL", "MSFT", "NVDA", "SPY", "XOM", "BTCUSD" };
#define UNIVERSE_SIZE (sizeof universe / sizeof universe[0])

typedef struct soak_run {
    size_t cycles;
    soak_rng rng;
    fake_alpaca *server;
    ms_broker *broker;
    ms_model *model;
    soak_ledger ledger;
    char *scratch;                      /* holds marketsim's own ledger of the account */
    char *own_ledger;
    int64_t day;                        /* the current cycle's clock, UTC seconds */
    size_t queued[SOAK_FAULT_KINDS];
    size_t attempts, plan_failures, failed_steps, cancels;
    long rss_warm_kb, rss_end_kb;
} soak_run;

static long rss_kb(void)
{
    char line[256];
    long kb = -1;
    FILE *status = fopen("/proc/self/status", "r");
    while (status != NULL && fgets(line, sizeof line, status) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (status != NULL)
        fclose(status);
    return kb;
}

static size_t setting(int argc, char **argv, const char *flag, const char *env, size_t fallback)
{
    const char *text = getenv(env);
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], flag) == 0)
            text = argv[i + 1];
    char *end = NULL;
    unsigned long long value = text != NULL ? strtoull(text, &end, 10) : 0;
    return text != NULL && *text && *end == '\0' && value > 0 ? (size_t)value : fallback;
}

/* ---- The server's day ----------------------------------------------------- */

static json_t *clock_object(int64_t now)
{
    char stamp[32], close[32];
    time_t seconds = (time_t)now, closing = (time_t)(now + 5 * 3600);
    struct tm wall;
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&seconds, &wall));
    strftime(close, sizeof close, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&closing, &wall));
    return json_pack("{s:s, s:b, s:s, s:s}", "timestamp", stamp, "is_open", 1, "next_open", stamp,
                     "next_close", close);
}

/* Where a symbol ("BTC/USD" or "BTCUSD") is in the universe. */
static size_t universe_index(const char *symbol)
{
    char key[MS_SYMBOL_CAPACITY];
    ms_symbol_canonical(symbol, key);
    for (size_t i = 0; i < UNIVERSE_SIZE; i++)
        if (strcmp(universe[i], key) == 0)
            return i;
    return 0;
}

/* The report's next-day side of a symbol: +1, -1, 0 (none, or not there). */
static int forecast_side(const ms_report *report, const char *symbol)
{
    for (size_t i = 0; i < ms_report_symbol_count(report); i++)
        if (strcmp(ms_report_symbol(report, i)->symbol, symbol) == 0)
            return ms_report_symbol(report, i)->side;
    return 0;
}

/*
 * 0 to MAX_POSITIONS positions on neighbouring symbols of the universe,
 * against the day's forecast where it has a side (so the plan closes
 * them), crypto only long. The first is on a symbol with a working order
 * when there is one, so that its close has an order to cancel first.
 */
static json_t *positions_of_the_day(soak_rng *rng, const soak_ledger *ledger,
                                    const ms_report *report)
{
    json_t *positions = json_array();
    const char *working = soak_ledger_working_symbol(ledger, rng);
    size_t count = soak_rng_below(rng, MAX_POSITIONS + 1);
    size_t first = working != NULL ? universe_index(working) : soak_rng_below(rng, UNIVERSE_SIZE);
    for (size_t i = 0; i < count; i++) {
        const char *symbol = universe[(first + i) % UNIVERSE_SIZE];
        bool crypto = ms_symbol_asset_class(symbol) == MS_ASSET_CRYPTO;
        int side = forecast_side(report, symbol);
        bool long_side = crypto || (side != 0 ? side < 0 : soak_rng_below(rng, 2) == 0);
        char qty[32];
        snprintf(qty, sizeof qty, "%g", crypto ? 0.5 : (double)(1 + soak_rng_below(rng, 100)));
        json_array_append_new(positions, json_pack(
            "{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "symbol", symbol, "asset_class",
            crypto ? "crypto" : "us_equity", "qty", qty, "side", long_side ? "long" : "short",
            "avg_entry_price", "100", "market_value", "1000", "cost_basis", "1000",
            "unrealized_pl", "0", "current_price", "100", "qty_available", qty));
    }
    return positions;
}

/* One control command: a fresh fault mix, and on a new day its clock,
 * positions and the expiry of earlier orders. */
static bool steer(soak_run *run, const ms_report *report, bool new_day)
{
    json_t *command = json_pack("{s:b, s:o}", "clear_faults", 1, "faults",
                                soak_fault_mix(&run->rng, MOST_FAULTS, REQUEST_TIMEOUT, run->queued));
    if (new_day) {
        /* Expired first: the positions look for orders still working. */
        json_object_set_new(command, "expire", soak_ledger_expire(&run->ledger, &run->rng));
        json_object_set_new(command, "clock", clock_object(run->day));
        json_object_set_new(command, "positions",
                            positions_of_the_day(&run->rng, &run->ledger, report));
    }
    char *text = json_dumps(command, JSON_COMPACT);
    bool done = text != NULL && fake_alpaca_control(run->server, text);
    free(text);
    json_decref(command);
    return done;
}

/* The next weekday, same time of day. */
static int64_t next_weekday(int64_t now)
{
    struct tm wall;
    do {
        now += 86400;
        time_t seconds = (time_t)now;
        gmtime_r(&seconds, &wall);
    } while (wall.tm_wday == 0 || wall.tm_wday == 6);
    return now;
}

/* ---- One day -------------------------------------------------------------- */

/* The day's analysis, on a synthetic market of its own (seed day_index + 1). */
static ms_report *analyze_day(soak_run *run, size_t day_index)
{
    char uri[64];
    snprintf(uri, sizeof uri, "synthetic:seed=%zu", day_index + 1);
    ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
    options.simulations = 5;     /* a handful: the soak is about the broker, not the picks */
    ms_source *source = NULL;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    if (ms_source_open(&source, uri, NULL) != MS_OK ||
        ms_analyzer_create(&analyzer, source, run->model, &options) != MS_OK ||
        ms_analyzer_run(analyzer, universe, UNIVERSE_SIZE, &report) != MS_OK)
        fprintf(stderr, "soak: analysis of day %zu: %s\n", day_index, ms_last_error());
    ms_analyzer_free(analyzer);
    ms_source_free(source);
    return report;
}

/* One attempt: true when it ran to the end with no failed step. */
static bool attempt_cycle(soak_run *run, const ms_report *report, bool *ledger_ok)
{
    ms_trade_result *result = NULL;
    run->attempts++;
    ms_trade_options options = MS_TRADE_OPTIONS_INIT;
    options.ledger_path = run->own_ledger;
    if (ms_trade_cycle(run->broker, report, &options, &result) != MS_OK) {
        run->plan_failures++;
        return false;
    }
    *ledger_ok = soak_ledger_record(&run->ledger, result);
    for (size_t i = 0; i < ms_trade_result_step_count(result); i++) {
        const ms_trade_step *step = ms_trade_result_step(result, i);
        run->cancels += step->action == MS_TRADE_CANCEL && step->outcome == MS_TRADE_SENT;
    }
    size_t failed = ms_trade_result_summary(result)->failed;
    run->failed_steps += failed;
    ms_trade_result_free(result);
    return failed == 0;
}

static bool run_day(soak_run *run, size_t day_index)
{
    ms_report *report = analyze_day(run, day_index);
    bool done = false, ledger_ok = report != NULL;
    for (int attempt = 0; attempt < MAX_ATTEMPTS && !done && ledger_ok; attempt++) {
        if (!steer(run, report, attempt == 0)) {
            fprintf(stderr, "soak: the server does not take control commands\n");
            ledger_ok = false;
            break;
        }
        done = attempt_cycle(run, report, &ledger_ok);
    }
    if (!done && ledger_ok)
        fprintf(stderr, "soak: day %zu still fails after %d attempts: %s\n", day_index,
                MAX_ATTEMPTS, ms_last_error());
    ms_report_free(report);
    return done && ledger_ok;
}

/* ---- Setup, the run, the verdict ------------------------------------------ */

static bool open_run(soak_run *run)
{
    run->scratch = temp_dir_create();
    run->own_ledger = run->scratch != NULL ? temp_dir_path(run->scratch, "ledger.sqlite") : NULL;
    if (run->own_ledger == NULL)
        return false;
    /* The server's own deadline, a backstop should the soak hang: far past
     * a normal run's few seconds a cycle. */
    run->server = fake_alpaca_start_for((int)(120 + 30 * run->cycles));
    if (run->server == NULL) {
        fprintf(stderr, "soak: cannot start tests/servers/fake_alpaca.py (python3, "
                "MARKETSIM_SOURCE_DIR?)\n");
        return false;
    }
    /* Buying power far above what the picks cost: the server does not
     * reserve it for open orders as Alpaca does, so a re-run would
     * otherwise size its remaining entries differently. */
    if (!fake_alpaca_control(run->server, "{\"reset\": true, \"account\": {\"id\": \"soak\", "
                             "\"status\": \"ACTIVE\", \"currency\": \"USD\", \"cash\": \"5000000\", "
                             "\"buying_power\": \"10000000\", \"equity\": \"5000000\"}}"))
        return false;
    ms_broker_options options = fake_alpaca_options(run->server, REQUEST_TIMEOUT);
    return ms_model_open(&run->model, "baseline", NULL) == MS_OK &&
           ms_broker_open(&run->broker, "alpaca", &options) == MS_OK &&
           soak_ledger_init(&run->ledger, run->cycles * (UNIVERSE_SIZE + MAX_POSITIONS));
}

static void close_run(soak_run *run)
{
    ms_broker_free(run->broker);
    ms_model_free(run->model);
    fake_alpaca_stop(run->server);
    soak_ledger_release(&run->ledger);
    free(run->own_ledger);
    temp_dir_remove(run->scratch);
}

/* Faults by kind: how many were queued, and the requests they hit by
 * method (a burst hits three; a fault whose attempt ended before its
 * endpoint was reached is dropped unhit). */
static void print_faults(const soak_run *run, json_t *taken)
{
    printf("faults          queued   hits:  GET  POST DELETE\n");
    for (int kind = 0; kind < SOAK_FAULT_KINDS; kind++) {
        const char *name = soak_fault_label((soak_fault_kind)kind);
        printf("  %-15s %5zu       ", name, run->queued[kind]);
        for (int method = 0; method < SOAK_METHODS; method++) {
            char label[64];
            snprintf(label, sizeof label, "%s %s", name, soak_fault_methods[method]);
            printf(" %5lld", json_integer_value(json_object_get(taken, label)));
        }
        printf("\n");
    }
}

/* The server's orders against the ledger, then the summary. */
static bool verdict(soak_run *run, size_t cycles_done, double wall)
{
    json_t *state = fake_alpaca_state(run->server);
    json_t *orders = json_object_get(state, "orders");
    size_t differences = state != NULL ? soak_ledger_compare(&run->ledger, orders) : 1;
    long growth = run->rss_end_kb - run->rss_warm_kb;
    printf("soak: %zu of %zu cycles, %zu attempts (%zu re-runs: %zu plans failed, %zu failed "
           "steps)\n", cycles_done, run->cycles, run->attempts, run->attempts - cycles_done,
           run->plan_failures, run->failed_steps);
    print_faults(run, json_object_get(state, "faults_taken"));
    printf("orders: %zu intended, %zu on the server, %zu differences (and %zu working orders "
           "canceled before closes)\n", run->ledger.count, json_array_size(orders), differences,
           run->cancels);
    printf("RSS: %ld kB at the warm-up's end, %ld kB at the end (%+ld kB, bound %d kB)\n",
           run->rss_warm_kb, run->rss_end_kb, growth, RSS_GROWTH_BOUND_KB);
    printf("wall: %.1f s\n", wall);
    json_decref(state);
    bool ok = cycles_done == run->cycles && differences == 0 && growth < RSS_GROWTH_BOUND_KB;
    printf("soak: %s\n", ok ? "PASS" : "FAIL");
    return ok;
}

int main(int argc, char **argv)
{
    /* The faults make the client warn on every cycle; errors still show
     * (MARKETSIM_LOG, when set, chooses otherwise). */
    ms_log_set_level(MS_LOG_ERROR);
    ms_log_level_from_env();
    /* One malloc arena: glibc otherwise adds arenas as the analyzer's worker
     * threads happen to contend, each with its own high-water mark, and
     * that growth (+1.1 MB over cycles 20-200 in one run, then flat) would
     * hide a leak of the size the RSS bound is there to catch. */
    mallopt(M_ARENA_MAX, 1);
    soak_run run = {
        .cycles = setting(argc, argv, "--cycles", "SOAK_CYCLES", DEFAULT_CYCLES),
        .rng = { setting(argc, argv, "--seed", "SOAK_SEED", 1) },
        .day = 1704207600,       /* 2024-01-02 15:00 UTC, a Tuesday at 10:00 New York */
    };
    size_t warm_up = run.cycles / 10 > MIN_WARM_UP ? run.cycles / 10 : MIN_WARM_UP, done = 0;
    warm_up = warm_up < run.cycles ? warm_up : run.cycles;
    double start = ms_clock_seconds();
    bool opened = open_run(&run);
    if (!opened)
        fprintf(stderr, "soak: setup failed: %s\n", ms_last_error());
    for (; opened && done < run.cycles; done++, run.day = next_weekday(run.day)) {
        if (!run_day(&run, done))
            break;
        long rss = rss_kb();
        run.rss_warm_kb = done + 1 == warm_up ? rss : run.rss_warm_kb;
        run.rss_end_kb = rss;
        if ((done + 1) % warm_up == 0) {
            printf("soak: cycle %zu of %zu, RSS %ld kB\n", done + 1, run.cycles, rss);
            fflush(stdout);
        }
    }
    bool ok = opened && verdict(&run, done, ms_clock_seconds() - start);
    close_run(&run);
    return ok ? 0 : 1;
}

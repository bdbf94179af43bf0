/*
 * test_trade_replay.c - `marketsim trade` day after day, as it runs: 16
 * consecutive trading days of four stocks and one crypto pair, against the
 * strict test Alpaca server (tests/servers/fake_alpaca.py: Alpaca's order
 * rules, bars revealed day by day, each day's prices played through its
 * order book between cycles) and against the simulated broker on the same
 * bars. Someone else shares the account: a short NIO position (a traded
 * symbol) and a working AMD order, both placed before the first cycle.
 *
 * What must hold: every cycle exits 0 (but the one killed on purpose in
 * the middle, which is run again); Alpaca refuses no order; positions are
 * closed; someone else's position and order are never touched; and the
 * simulated broker is sent exactly the orders Alpaca is (ids, sides,
 * quantities, prices).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "marketsim/marketsim.h"
#include "support/cli_run.h"
#include "support/fake_alpaca.h"
#include "support/temp_dir.h"

#define SYMBOL_COUNT 5
#define CYCLES 16
#define HISTORY 400               /* bars kept before the replay window */
/* The replay ends this many stock trading days before the synthetic
 * market's last bar: a stretch where the forecasts of several symbols
 * turn, so that positions are closed as well as opened. */
#define END_OFFSET 24
#define FOREIGN_SHORT 100.0
/* The first cycle (four entries) is killed right after its second
 * acknowledged order (SIGKILL, no cleanup), then run again, as an operator
 * would: both replays must still end with the orders the other sends. */
#define CRASH_CYCLE 1
#define CRASH_ENV "MARKETSIM_TEST_KILL_AFTER_SUBMITS=2"

static const char *const symbols[SYMBOL_COUNT] = { "AAPL", "MSFT", "NIO", "AMD", "BTCUSD" };
static const char *const symbol_list = "AAPL,MSFT,NIO,AMD,BTCUSD";

typedef struct replay {
    char *dir;
    ms_bars *bars[SYMBOL_COUNT];  /* the whole synthetic history */
    int64_t days[CYCLES + 1];      /* days[0]: the day someone else trades; then one cycle a day */
} replay;

/* ---- The market ---------------------------------------------------------- */

static void day_text(int64_t time, char text[11])
{
    time_t seconds = (time_t)time;
    struct tm utc;
    gmtime_r(&seconds, &utc);
    strftime(text, 11, "%Y-%m-%d", &utc);
}

/* CYCLES + 1 consecutive stock trading days of the synthetic calendar,
 * ending END_OFFSET days before its last. */
static void choose_days(replay *r)
{
    const ms_bars *stock = r->bars[0];
    size_t n = ms_bars_len(stock);
    for (size_t i = 0; i <= CYCLES; i++)
        r->days[i] = ms_bars_timestamps(stock)[n - 1 - END_OFFSET - CYCLES + i];
}

/* A symbol's bars through `day` as a CSV file of the sim's data. */
static void write_csv(const replay *r, size_t s, int64_t day)
{
    char name[64];
    snprintf(name, sizeof name, "data/%s.csv", symbols[s]);
    char *path = temp_dir_path(r->dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "Date,Open,High,Low,Close,Volume\n");
    const ms_bars *bars = r->bars[s];
    size_t n = ms_bars_len(bars);
    for (size_t k = n > HISTORY + 40 ? n - HISTORY - 40 : 0; k < n; k++) {
        if (ms_bars_timestamps(bars)[k] > day)
            break;
        char date[11];
        day_text(ms_bars_timestamps(bars)[k], date);
        fprintf(f, "%s,%.17g,%.17g,%.17g,%.17g,%.17g\n", date, ms_bars_column(bars, MS_COL_OPEN)[k],
                ms_bars_column(bars, MS_COL_HIGH)[k], ms_bars_column(bars, MS_COL_LOW)[k],
                ms_bars_column(bars, MS_COL_CLOSE)[k], ms_bars_column(bars, MS_COL_VOLUME)[k]);
    }
    assert_int_equal(fclose(f), 0);
    free(path);
}

static void write_data(const replay *r, int64_t day)
{
    for (size_t s = 0; s < SYMBOL_COUNT; s++)
        write_csv(r, s, day);
}

/* Every bar to the server, stamped at midnight New York time as Alpaca's
 * daily bars are; reveal_until then hides the future. */
static void send_bars(const replay *r, fake_alpaca *server)
{
    json_t *all = json_object();
    for (size_t s = 0; s < SYMBOL_COUNT; s++) {
        json_t *list = json_array();
        const ms_bars *bars = r->bars[s];
        size_t n = ms_bars_len(bars);
        for (size_t k = n > HISTORY + 40 ? n - HISTORY - 40 : 0; k < n; k++) {
            char date[11], stamp[32];
            day_text(ms_bars_timestamps(bars)[k], date);
            snprintf(stamp, sizeof stamp, "%sT05:00:00Z", date);
            json_array_append_new(list, json_pack("{s:s,s:f,s:f,s:f,s:f,s:f,s:i,s:f}", "t", stamp,
                                                  "o", ms_bars_column(bars, MS_COL_OPEN)[k],
                                                  "h", ms_bars_column(bars, MS_COL_HIGH)[k],
                                                  "l", ms_bars_column(bars, MS_COL_LOW)[k],
                                                  "c", ms_bars_column(bars, MS_COL_CLOSE)[k],
                                                  "v", ms_bars_column(bars, MS_COL_VOLUME)[k],
                                                  "n", 1, "vw", ms_bars_column(bars, MS_COL_CLOSE)[k]));
        }
        json_object_set_new(all, strcmp(symbols[s], "BTCUSD") == 0 ? "BTC/USD" : symbols[s], list);
    }
    json_t *command = json_pack("{s:b,s:f,s:o}", "reset", 1, "cash", 100000.0, "bars", all);
    char *text = json_dumps(command, JSON_COMPACT);
    assert_true(fake_alpaca_control(server, text));
    free(text);
    json_decref(command);
}

/* The server's clock after the close of `day`, with the bars through it. */
static void server_day(fake_alpaca *server, int64_t day)
{
    char date[11], command[160];
    day_text(day, date);
    snprintf(command, sizeof command, "{\"set_time\": \"%sT16:05:00-05:00\", \"reveal_until\": "
             "\"%s\"}", date, date);
    assert_true(fake_alpaca_control(server, command));
}

/* Plays every calendar day after `from` through `to` (crypto trades on
 * weekends too). */
static void play_days(fake_alpaca *server, int64_t from, int64_t to)
{
    json_t *days = json_array();
    for (int64_t day = from + 86400; day <= to; day += 86400) {
        char date[11];
        day_text(day, date);
        json_array_append_new(days, json_string(date));
    }
    json_t *command = json_pack("{s:o}", "play_day", days);
    char *text = json_dumps(command, JSON_COMPACT);
    assert_true(fake_alpaca_control(server, text));
    free(text);
    json_decref(command);
}

/* ---- Someone else ----------------------------------------------------------- */

static ms_order_request foreign_order(const char *id, const char *symbol, int side, double qty,
                                      ms_time_in_force time_in_force)
{
    return (ms_order_request){ .symbol = symbol, .qty = qty, .side = side, .type = MS_ORDER_LIMIT,
                               .time_in_force = time_in_force, .limit_price = 1.0,
                               .stop_price = NAN, .order_class = MS_CLASS_SIMPLE,
                               .take_profit_limit = NAN, .stop_loss_stop = NAN,
                               .client_order_id = id };
}

/* A short sale of NIO (a limit far under the market: it fills at the next
 * open) and a buy of AMD far under the market that never fills. */
static void trade_as_someone_else(ms_broker *broker)
{
    ms_order placed;
    ms_order_request short_sale = foreign_order("manual-nio-short", "NIO", -1, FOREIGN_SHORT,
                                                MS_TIF_DAY);
    ms_order_request resting = foreign_order("manual-amd-gtc", "AMD", 1, 5, MS_TIF_GTC);
    assert_int_equal(ms_broker_submit(broker, &short_sale, &placed), MS_OK);
    assert_int_equal(ms_broker_submit(broker, &resting, &placed), MS_OK);
}

/* ---- Runs ------------------------------------------------------------------- */

static void expect_cycle_ok(cli_run_result result, const char *where, int64_t day)
{
    char date[11];
    day_text(day, date);
    if (result.exit_code != 0)
        fail_msg("%s cycle of %s exited %d:\n%s\n%s", where, date, result.exit_code, result.out,
                 result.err);
    cli_run_release(&result);
}

static void expect_killed(cli_run_result result, const char *where)
{
    if (result.exit_code != -1)
        fail_msg("%s: the cycle meant to die after two orders exited %d:\n%s\n%s", where,
                 result.exit_code, result.out, result.err);
    cli_run_release(&result);
}

static void replay_alpaca(replay *r, fake_alpaca *server)
{
    send_bars(r, server);
    server_day(server, r->days[0]);
    ms_broker_options options = fake_alpaca_options(server, 10.0);
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, "alpaca", &options), MS_OK);
    trade_as_someone_else(broker);
    ms_broker_free(broker);
    for (size_t i = 1; i <= CYCLES; i++) {
        play_days(server, r->days[i - 1], r->days[i]);
        server_day(server, r->days[i]);
        if (i == CRASH_CYCLE)
            expect_killed(cli_run(CRASH_ENV, "trade", "--broker", "alpaca", "--symbols",
                                  symbol_list, "--simulations", "12", NULL), "alpaca");
        expect_cycle_ok(cli_run(NULL, "trade", "--broker", "alpaca", "--symbols", symbol_list,
                                "--simulations", "12", NULL), "alpaca", r->days[i]);
    }
}

static void replay_sim(replay *r, const char *journal)
{
    char uri[4300], data[4300];
    snprintf(uri, sizeof uri, "sim:%s", journal);
    snprintf(data, sizeof data, "csv:%s/data", r->dir);
    write_data(r, r->days[0]);
    ms_source *source = NULL;
    ms_broker *broker = NULL;
    assert_int_equal(ms_source_open(&source, data, NULL), MS_OK);
    assert_int_equal(ms_broker_open(&broker, uri, NULL), MS_OK);
    assert_int_equal(ms_broker_sync(broker, source, r->days[0]), MS_OK);
    trade_as_someone_else(broker);
    ms_broker_free(broker);
    ms_source_free(source);
    for (size_t i = 1; i <= CYCLES; i++) {
        write_data(r, r->days[i]);
        if (i == CRASH_CYCLE)
            expect_killed(cli_run(CRASH_ENV, "trade", "--broker", uri, "--data", data, "--symbols",
                                  symbol_list, "--simulations", "12", NULL), "sim");
        expect_cycle_ok(cli_run(NULL, "trade", "--broker", uri, "--data", data, "--symbols",
                                symbol_list, "--simulations", "12", NULL), "sim", r->days[i]);
    }
}

/* ---- What was sent ------------------------------------------------------------ */

typedef struct sent_order {
    char id[64];
    int side;
    double qty, limit;            /* limit NAN for a market order */
} sent_order;

static double json_amount(const json_t *value)
{
    if (json_is_string(value))
        return strtod(json_string_value(value), NULL);
    return json_is_number(value) ? json_number_value(value) : NAN;
}

static int by_id(const void *a, const void *b)
{
    return strcmp(((const sent_order *)a)->id, ((const sent_order *)b)->id);
}

/* marketsim's orders the server holds (top level), sorted by id. */
static size_t alpaca_orders(fake_alpaca *server, sent_order *out, size_t most)
{
    json_t *state = fake_alpaca_state(server);
    assert_non_null(state);
    size_t count = 0, index;
    json_t *order;
    json_array_foreach(json_object_get(state, "orders"), index, order) {
        const char *id = json_string_value(json_object_get(order, "client_order_id"));
        if (id == NULL || strncmp(id, "ms-", 3) != 0)
            continue;
        assert_true(count < most);
        sent_order *o = &out[count++];
        snprintf(o->id, sizeof o->id, "%s", id);
        o->side = strcmp(json_string_value(json_object_get(order, "side")), "buy") == 0 ? 1 : -1;
        o->qty = json_amount(json_object_get(order, "qty"));
        o->limit = json_amount(json_object_get(order, "limit_price"));
    }
    json_decref(state);
    qsort(out, count, sizeof *out, by_id);
    return count;
}

static size_t sim_orders(const char *journal, sent_order *out, size_t most)
{
    char uri[4300];
    snprintf(uri, sizeof uri, "sim:%s", journal);
    ms_broker_options options = MS_BROKER_OPTIONS_INIT;
    options.read_only = 1;
    ms_broker *broker = NULL;
    assert_int_equal(ms_broker_open(&broker, uri, &options), MS_OK);
    ms_order *orders = NULL;
    size_t count = 0, kept = 0;
    assert_int_equal(ms_broker_orders(broker, "all", &orders, &count), MS_OK);
    for (size_t i = 0; i < count; i++) {
        if (orders[i].parent_id[0] != '\0' || strncmp(orders[i].client_order_id, "ms-", 3) != 0)
            continue;
        assert_true(kept < most);
        sent_order *o = &out[kept++];
        snprintf(o->id, sizeof o->id, "%s", orders[i].client_order_id);
        o->side = orders[i].side;
        o->qty = orders[i].qty;
        o->limit = orders[i].limit_price;
    }
    ms_free(orders);
    ms_broker_free(broker);
    qsort(out, kept, sizeof *out, by_id);
    return kept;
}

static bool same_amount(double a, double b)
{
    return (isnan(a) && isnan(b)) || fabs(a - b) <= 1e-9 * fmax(1.0, fabs(a));
}

/* ---- The replay --------------------------------------------------------------- */

static void set_alpaca_environment(const fake_alpaca *server, const char *dir)
{
    char cache[4200], state[4200];
    snprintf(cache, sizeof cache, "%s/cache", dir);
    snprintf(state, sizeof state, "%s/alpaca-state", dir);
    setenv("XDG_STATE_HOME", state, 1);
    setenv("APCA_API_KEY_ID", FAKE_ALPACA_KEY_ID, 1);
    setenv("APCA_API_SECRET_KEY", FAKE_ALPACA_SECRET, 1);
    setenv("APCA_API_BASE_URL", server->url, 1);
    setenv("APCA_API_DATA_URL", server->url, 1);
    setenv("XDG_CACHE_HOME", cache, 1);
    unsetenv("MARKETSIM_LIVE_TRADING");
}

static int setup(void **state)
{
    replay *r = calloc(1, sizeof *r);
    r->dir = temp_dir_create();
    ms_source *synthetic = NULL;
    if (r->dir == NULL || ms_source_open(&synthetic, "synthetic", NULL) != MS_OK)
        return -1;
    for (size_t s = 0; s < SYMBOL_COUNT; s++)
        if (ms_source_load(synthetic, symbols[s], &r->bars[s]) != MS_OK)
            return -1;
    ms_source_free(synthetic);
    choose_days(r);
    char *data = temp_dir_path(r->dir, "data");
    if (mkdir(data, 0700) != 0)
        return -1;
    free(data);
    *state = r;
    return 0;
}

static int teardown(void **state)
{
    replay *r = *state;
    for (size_t s = 0; s < SYMBOL_COUNT; s++)
        ms_bars_free(r->bars[s]);
    temp_dir_remove(r->dir);
    free(r);
    return 0;
}

/* Fills of one kind of our orders ("-close", "-exit"), or of someone
 * else's ("": the "manual-" orders; legs have ids of Alpaca's own). */
static size_t count_fills(json_t *state, const char *suffix)
{
    size_t count = 0, index;
    json_t *fill;
    json_array_foreach(json_object_get(state, "fills"), index, fill) {
        const char *id = json_string_value(json_object_get(fill, "client_order_id"));
        if (id == NULL)
            continue;
        bool ours = strncmp(id, "ms-", 3) == 0;
        size_t length = strlen(id), tail = strlen(suffix);
        count += *suffix == '\0' ? strncmp(id, "manual-", 7) == 0
                 : ours && length > tail && strcmp(id + length - tail, suffix) == 0;
    }
    return count;
}

/* One line of figures for docs/trading.md: our orders by leg and status. */
static void print_figures(json_t *state)
{
    size_t entries = 0, exits = 0, closes = 0, canceled = 0, filled = 0, index;
    json_t *order;
    json_array_foreach(json_object_get(state, "orders"), index, order) {
        const char *id = json_string_value(json_object_get(order, "client_order_id"));
        const char *status = json_string_value(json_object_get(order, "status"));
        if (id == NULL || strncmp(id, "ms-", 3) != 0 || status == NULL)
            continue;
        entries += strstr(id, "-entry") != NULL;
        exits += strstr(id, "-exit") != NULL;
        closes += strstr(id, "-close") != NULL;
        canceled += strcmp(status, "canceled") == 0;
        filled += strcmp(status, "filled") == 0;
    }
    printf("replay: %d cycles, %zu orders of ours (%zu entries, %zu exits, %zu closes): %zu filled, "
           "%zu canceled by us; %zu fills in all\n", CYCLES, entries + exits + closes, entries, exits,
           closes, filled, canceled, json_array_size(json_object_get(state, "fills")));
}

/* Someone else's NIO short is still there, whatever our NIO trades did. */
static void expect_foreign_untouched(json_t *state)
{
    double ours = 0, position = 0;
    size_t index;
    json_t *item;
    json_array_foreach(json_object_get(state, "fills"), index, item) {
        const char *id = json_string_value(json_object_get(item, "client_order_id"));
        const char *symbol = json_string_value(json_object_get(item, "symbol"));
        if (id == NULL || symbol == NULL || strcmp(symbol, "NIO") != 0 || strncmp(id, "ms-", 3) != 0)
            continue;
        int side = strcmp(json_string_value(json_object_get(item, "side")), "buy") == 0 ? 1 : -1;
        ours += side * json_amount(json_object_get(item, "qty"));
    }
    json_array_foreach(json_object_get(state, "positions"), index, item)
        if (strcmp(json_string_value(json_object_get(item, "symbol")), "NIO") == 0)
            position = json_amount(json_object_get(item, "qty"));
    assert_true(fabs(position - ours + FOREIGN_SHORT) < 1e-9);
    json_array_foreach(json_object_get(state, "orders"), index, item) {
        const char *id = json_string_value(json_object_get(item, "client_order_id"));
        if (id != NULL && strcmp(id, "manual-amd-gtc") == 0)
            assert_string_equal(json_string_value(json_object_get(item, "status")), "new");
    }
}

static void test_sixteen_days_trade_cleanly_and_the_sim_places_the_same_orders(void **state)
{
    replay *r = *state;
    fake_alpaca *server = fake_alpaca_start_for(900);
    if (server == NULL)
        skip();
    set_alpaca_environment(server, r->dir);
    replay_alpaca(r, server);
    json_t *record = fake_alpaca_state(server);
    assert_non_null(record);
    size_t rejections = json_array_size(json_object_get(record, "rejections"));
    if (rejections > 0)
        fail_msg("Alpaca refused %zu orders: %s", rejections,
                 json_dumps(json_object_get(record, "rejections"), JSON_INDENT(1)));
    assert_true(count_fills(record, "-close") >= 1);
    assert_int_equal(count_fills(record, ""), 1);
    expect_foreign_untouched(record);
    print_figures(record);
    json_decref(record);

    static sent_order alpaca[512], simulated[512];
    size_t alpaca_count = alpaca_orders(server, alpaca, 512);
    fake_alpaca_stop(server);
    char *journal = temp_dir_path(r->dir, "sim.journal");
    replay_sim(r, journal);
    size_t sim_count = sim_orders(journal, simulated, 512);
    free(journal);
    assert_true(alpaca_count >= CYCLES);
    assert_int_equal(sim_count, alpaca_count);
    for (size_t i = 0; i < alpaca_count; i++) {
        assert_string_equal(simulated[i].id, alpaca[i].id);
        assert_int_equal(simulated[i].side, alpaca[i].side);
        assert_true(same_amount(simulated[i].qty, alpaca[i].qty));
        assert_true(same_amount(simulated[i].limit, alpaca[i].limit));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            test_sixteen_days_trade_cleanly_and_the_sim_places_the_same_orders, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

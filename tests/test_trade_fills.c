/*
 * test_trade_fills.c - `marketsim trade` mentions what filled since its
 * previous cycle, and `marketsim account` the P&L it realised. Two cycles
 * on the simulated broker: the first places its entries on synthetic bars;
 * then one more day is added whose bar, made for the purpose, fills one
 * stock entry and its take profit; the second cycle's summary lists both
 * fills as ours (the second as the entry's take profit), and the account
 * shows the take profit's gain.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "marketsim/marketsim.h"
#include "support/cli_run.h"
#include "support/temp_dir.h"

#define SYMBOL_COUNT 4
#define KEEP 440                  /* bars written per symbol */
/* The first cycle's last bar: where the replay suite's first cycle makes
 * several entries (tests/test_trade_replay.c). */
#define END_OFFSET 40

static const char *const symbols[SYMBOL_COUNT] = { "AAPL", "MSFT", "NIO", "AMD" };
static const char *const symbol_list = "AAPL,MSFT,NIO,AMD";

typedef struct market {
    char *dir;
    char data[4300], broker[4300], journal[4200];
    FILE *files[SYMBOL_COUNT];
} market;

static void day_text(int64_t time, char text[11])
{
    time_t seconds = (time_t)time;
    struct tm utc;
    gmtime_r(&seconds, &utc);
    strftime(text, 11, "%Y-%m-%d", &utc);
}

static void write_bar(FILE *f, int64_t time, double open, double high, double low, double close)
{
    char date[11];
    day_text(time, date);
    fprintf(f, "%s,%.17g,%.17g,%.17g,%.17g,1000000\n", date, open, high, low, close);
}

/* Each symbol's synthetic bars up to END_OFFSET bars before their end;
 * the files stay open for the day added later. Returns the last bar's
 * time and each symbol's last close. */
static int64_t write_history(market *m, double closes[SYMBOL_COUNT])
{
    ms_source *synthetic = NULL;
    assert_int_equal(ms_source_open(&synthetic, "synthetic", NULL), MS_OK);
    int64_t last = 0;
    for (size_t s = 0; s < SYMBOL_COUNT; s++) {
        ms_bars *bars = NULL;
        assert_int_equal(ms_source_load(synthetic, symbols[s], &bars), MS_OK);
        size_t end = ms_bars_len(bars) - END_OFFSET;
        char name[64];
        snprintf(name, sizeof name, "data/%s.csv", symbols[s]);
        char *path = temp_dir_path(m->dir, name);
        m->files[s] = fopen(path, "w");
        free(path);
        assert_non_null(m->files[s]);
        fprintf(m->files[s], "Date,Open,High,Low,Close,Volume\n");
        for (size_t k = end - KEEP; k < end; k++)
            write_bar(m->files[s], ms_bars_timestamps(bars)[k], ms_bars_column(bars, MS_COL_OPEN)[k],
                      ms_bars_column(bars, MS_COL_HIGH)[k], ms_bars_column(bars, MS_COL_LOW)[k],
                      ms_bars_column(bars, MS_COL_CLOSE)[k]);
        fflush(m->files[s]);
        last = ms_bars_timestamps(bars)[end - 1];
        closes[s] = ms_bars_column(bars, MS_COL_CLOSE)[end - 1];
        ms_bars_free(bars);
    }
    ms_source_free(synthetic);
    return last;
}

/* A stock entry the first cycle placed, from its submit record. */
typedef struct entry {
    char symbol[32];
    int side;
    double qty, limit, take_profit;
} entry;

static bool find_oto_entry(const char *journal, entry *out)
{
    FILE *file = fopen(journal, "r");
    assert_non_null(file);
    char line[8192];
    bool found = false;
    while (!found && fgets(line, sizeof line, file) != NULL) {
        json_t *record = json_loads(line, 0, NULL);
        const char *type = json_string_value(json_object_get(record, "type"));
        const char *order_class = json_string_value(json_object_get(record, "order_class"));
        if (type != NULL && strcmp(type, "submit") == 0 && order_class != NULL &&
            strcmp(order_class, "oto") == 0) {
            snprintf(out->symbol, sizeof out->symbol, "%s",
                     json_string_value(json_object_get(record, "symbol")));
            out->side = strcmp(json_string_value(json_object_get(record, "side")), "buy") == 0 ? 1 : -1;
            out->qty = json_number_value(json_object_get(record, "qty"));
            out->limit = json_number_value(json_object_get(record, "limit_price"));
            out->take_profit = json_number_value(json_object_get(record, "take_profit"));
            found = true;
        }
        json_decref(record);
    }
    fclose(file);
    return found;
}

/* The next weekday's bar: for the entry's symbol one that reaches the
 * entry first, then its take profit (a buy: open just above the limit, the
 * low just under it, the high past the take profit); for the others a
 * quiet day at the last close. */
static void add_day(market *m, int64_t last, const double closes[SYMBOL_COUNT], const entry *e)
{
    int64_t day = last + 86400;
    while ((day / 86400 + 4) % 7 == 0 || (day / 86400 + 4) % 7 == 6) /* Sunday, Saturday */
        day += 86400;
    for (size_t s = 0; s < SYMBOL_COUNT; s++) {
        if (strcmp(symbols[s], e->symbol) != 0) {
            write_bar(m->files[s], day, closes[s], closes[s], closes[s], closes[s]);
        } else {
            double step = fmin(0.001 * e->limit, fabs(e->take_profit - e->limit) / 4);
            double open = e->limit + e->side * step, near = e->limit - e->side * step;
            double far = e->take_profit + e->side * step;
            write_bar(m->files[s], day, open, e->side > 0 ? far : near, e->side > 0 ? near : far,
                      e->take_profit);
        }
        assert_int_equal(fclose(m->files[s]), 0);
        m->files[s] = NULL;
    }
}

static void run_cycle(const market *m, bool json, cli_run_result *out)
{
    *out = cli_run(NULL, "trade", "--broker", m->broker, "--data", m->data, "--symbols", symbol_list,
                   "--simulations", "12", "--cache", "off", json ? "--json" : NULL,
                   NULL); /* without --json the first NULL ends the arguments */
    if (out->exit_code != 0)
        fail_msg("trade exited %d:\n%s\n%s", out->exit_code, out->out, out->err);
}

/* Whether one line of `text` holds all three pieces. */
static bool has_line_with(const char *text, const char *a, const char *b, const char *c)
{
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t length = end != NULL ? (size_t)(end - line) : strlen(line);
        char copy[512];
        snprintf(copy, sizeof copy, "%.*s", (int)length, line);
        if (strstr(copy, a) != NULL && strstr(copy, b) != NULL && strstr(copy, c) != NULL)
            return true;
        line = end != NULL ? end + 1 : NULL;
    }
    return false;
}

/* `text` with every run of spaces and newlines made one space (malloc'ed). */
static char *join_spaces(const char *text)
{
    char *joined = malloc(strlen(text) + 1), *to = joined;
    assert_non_null(joined);
    for (const char *c = text; *c != '\0'; c++)
        if (!(*c == ' ' || *c == '\n') || (to > joined && to[-1] != ' '))
            *to++ = *c == '\n' ? ' ' : *c;
    *to = '\0';
    return joined;
}

/* Runs the first cycle and adds the day that fills `e` and its take profit. */
static void trade_then_fill(market *m, entry *e, bool json, cli_run_result *second)
{
    double closes[SYMBOL_COUNT];
    int64_t last = write_history(m, closes);
    cli_run_result first;
    run_cycle(m, false, &first);
    assert_null(strstr(first.out, "fills since the previous cycle"));
    cli_run_release(&first);
    if (!find_oto_entry(m->journal, e))
        fail_msg("the first cycle placed no stock entry");
    add_day(m, last, closes, e);
    run_cycle(m, json, second);
}

static void test_the_next_cycle_lists_a_take_profit_that_filled_in_between(void **state)
{
    market *m = *state;
    entry e;
    cli_run_result r;
    trade_then_fill(m, &e, false, &r);
    assert_non_null(strstr(r.out, "fills since the previous cycle ("));
    char entry_price[32], exit_price[32];
    snprintf(entry_price, sizeof entry_price, "@ %.2f", e.limit);
    snprintf(exit_price, sizeof exit_price, "@ %.2f", e.take_profit);
    const char *entry_side = e.side > 0 ? "buy " : "sell ", *exit_side = e.side > 0 ? "sell " : "buy ";
    /* The note may wrap onto the next line: compared with spaces joined. */
    char take_profit_of[96];
    snprintf(take_profit_of, sizeof take_profit_of, "-%s-%s-entry)", e.symbol,
             e.side > 0 ? "buy" : "sell");
    char *joined = join_spaces(r.out);
    bool named = strstr(joined, "(ours: take profit of ms-") != NULL &&
                 strstr(joined, take_profit_of) != NULL;
    free(joined);
    if (!has_line_with(r.out, entry_side, entry_price, "(ours)") ||
        !has_line_with(r.out, exit_side, exit_price, "(ours: take profit of") || !named)
        fail_msg("the fills of %s (%s, %s) are not in:\n%s", e.symbol, entry_price, exit_price,
                 r.out);
    cli_run_release(&r);
}

static void test_the_fills_since_the_previous_cycle_are_in_the_json(void **state)
{
    market *m = *state;
    entry e;
    cli_run_result r;
    trade_then_fill(m, &e, true, &r);
    json_error_t error;
    json_t *root = json_loads(r.out, 0, &error);
    if (root == NULL)
        fail_msg("not JSON (%s):\n%s", error.text, r.out);
    json_t *trade = json_object_get(root, "trade");
    assert_true(json_is_string(json_object_get(trade, "previous_cycle")));
    json_t *fills = json_object_get(trade, "fills_since_previous_cycle");
    bool exit_found = false;
    size_t index;
    json_t *fill;
    json_array_foreach(fills, index, fill) {
        const char *our_order = json_string_value(json_object_get(fill, "our_order"));
        exit_found |= strcmp(json_string_value(json_object_get(fill, "symbol")), e.symbol) == 0 &&
                      json_is_true(json_object_get(fill, "ours")) &&
                      json_is_true(json_object_get(fill, "take_profit")) && our_order != NULL &&
                      strstr(our_order, "-entry") != NULL &&
                      strcmp(json_string_value(json_object_get(fill, "side")),
                             e.side > 0 ? "sell" : "buy") == 0 &&
                      fabs(json_number_value(json_object_get(fill, "price")) - e.take_profit) < 1e-9;
    }
    assert_true(exit_found);
    json_decref(root);
    cli_run_release(&r);
}

static void test_the_account_shows_the_take_profits_realised_gain(void **state)
{
    market *m = *state;
    entry e;
    cli_run_result r;
    trade_then_fill(m, &e, false, &r);
    cli_run_release(&r);
    r = cli_run(NULL, "account", "--broker", m->broker, "--json", NULL);
    assert_int_equal(r.exit_code, 0);
    json_t *root = json_loads(r.out, 0, NULL);
    assert_non_null(root);
    json_t *by_symbol = json_object_get(json_object_get(root, "realized_pl"), "by_symbol");
    double gain = e.qty * fabs(e.take_profit - e.limit);
    assert_float_equal(json_number_value(json_object_get(by_symbol, e.symbol)), gain, 1e-6);
    assert_int_equal(json_array_size(json_object_get(root, "basis_incomplete")), 0);
    json_decref(root);
    cli_run_release(&r);
    r = cli_run(NULL, "account", "--broker", m->broker, NULL);
    assert_int_equal(r.exit_code, 0);
    char expected[64];
    snprintf(expected, sizeof expected, "%s %+.2f", e.symbol, gain);
    if (strstr(r.out, expected) == NULL)
        fail_msg("'%s' is not in:\n%s", expected, r.out);
    for (char *line = strtok(r.out, "\n"); line != NULL; line = strtok(NULL, "\n"))
        assert_true(strlen(line) <= 100);
    cli_run_release(&r);
}

static int setup(void **state)
{
    market *m = calloc(1, sizeof *m);
    if (m == NULL || (m->dir = temp_dir_create()) == NULL)
        return -1;
    char *data = temp_dir_path(m->dir, "data");
    int made = mkdir(data, 0700);
    free(data);
    snprintf(m->data, sizeof m->data, "csv:%s/data", m->dir);
    snprintf(m->journal, sizeof m->journal, "%s/sim.journal", m->dir);
    snprintf(m->broker, sizeof m->broker, "sim:%s", m->journal);
    *state = m;
    return made;
}

static int teardown(void **state)
{
    market *m = *state;
    for (size_t s = 0; s < SYMBOL_COUNT; s++)
        if (m->files[s] != NULL)
            fclose(m->files[s]);
    temp_dir_remove(m->dir);
    free(m);
    return 0;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_the_next_cycle_lists_a_take_profit_that_filled_in_between,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_fills_since_the_previous_cycle_are_in_the_json,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(test_the_account_shows_the_take_profits_realised_gain,
                                        setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

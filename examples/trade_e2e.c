/*
 * trade_e2e.c - the C counterpart of the reference system's trading script: one
 * trading cycle end to end. Open a data source, a model and a broker (a
 * simulated one unless told otherwise), bring a simulated broker up to the
 * newest bar, analyze the universe with sizes from the account, then plan,
 * place and print the orders.
 *
 *   trade_e2e [BROKER [DATA [SYMBOLS]]]
 *   defaults: sim:trade_e2e.journal  synthetic  AAPL,MSFT,NVDA,SPY,BTCUSD,ETHUSD
 *   e.g.      trade_e2e alpaca csv:../shared/data/daily JD,NIO,PDD,SUIUSD
 * Like the marketsim CLI it lets the library read Alpaca's settings
 * (APCA_API_KEY_ID, ...) from the environment: from_env in the options.
 */
#include <stdio.h>
#include <string.h>

#include <marketsim/marketsim.h>

#define MAX_SYMBOLS 64

static void failed(const char *what)
{
    fprintf(stderr, "trade_e2e: %s: %s\n", what, ms_last_error());
}

/* The newest bar of the universe: where a simulated broker is synced to. */
static int64_t newest_bar(ms_source *source, char **symbols, size_t n)
{
    int64_t newest = 0;
    for (size_t i = 0; i < n; i++) {
        ms_bars *bars = NULL;
        if (ms_source_load(source, symbols[i], &bars) != MS_OK)
            continue;
        int64_t last = ms_bars_timestamps(bars)[ms_bars_len(bars) - 1];
        newest = last > newest ? last : newest;
        ms_bars_free(bars);
    }
    return newest;
}

static void print(ms_status (*write)(const ms_trade_result *, char **), const ms_trade_result *result)
{
    char *text = NULL;
    if (write(result, &text) == MS_OK)
        fputs(text, stdout);
    ms_free(text);
}

static int trade(ms_source *source, ms_model *model, ms_broker *broker, char **symbols, size_t n)
{
    ms_account account;
    ms_analyzer_options options = MS_ANALYZER_OPTIONS_INIT;
    ms_analyzer *analyzer = NULL;
    ms_report *report = NULL;
    ms_trade_result *result = NULL;
    if (ms_broker_sync(broker, source, newest_bar(source, symbols, n)) != MS_OK ||
        ms_broker_account(broker, &account) != MS_OK) {
        failed("broker");
        return 1;
    }
    options.equity = account.equity;             /* size the picks from the account */
    options.buying_power = account.buying_power;
    int code = 1;
    if (ms_analyzer_create(&analyzer, source, model, &options) != MS_OK)
        failed("analyzer");
    else if (ms_analyzer_run(analyzer, (const char *const *)symbols, n, &report) != MS_OK)
        failed("analysis");
    else if (ms_trade_cycle(broker, report, NULL, &result) != MS_OK)
        failed("trade cycle");
    else {
        print(ms_trade_plan_to_text, result);
        putchar('\n');
        print(ms_trade_result_to_text, result);
        code = 0;
    }
    ms_trade_result_free(result);
    ms_report_free(report);
    ms_analyzer_free(analyzer);
    return code;
}

int main(int argc, char **argv)
{
    const char *broker_uri = argc > 1 ? argv[1] : "sim:trade_e2e.journal";
    const char *data_uri = argc > 2 ? argv[2] : "synthetic";
    char universe[1024], *symbols[MAX_SYMBOLS];
    size_t n = 0;
    snprintf(universe, sizeof universe, "%s", argc > 3 ? argv[3] : "AAPL,MSFT,NVDA,SPY,BTCUSD,ETHUSD");
    for (char *name = strtok(universe, ","); name != NULL && n < MAX_SYMBOLS; name = strtok(NULL, ","))
        symbols[n++] = name;

    ms_source *source = NULL;
    ms_model *model = NULL;
    ms_broker *broker = NULL;
    int code = 1;
    ms_source_options source_options = MS_SOURCE_OPTIONS_INIT;
    source_options.from_env = 1;
    ms_broker_options broker_options = MS_BROKER_OPTIONS_INIT;
    broker_options.from_env = 1;
    if (ms_source_open(&source, data_uri, &source_options) != MS_OK)
        failed("data");
    else if (ms_model_open(&model, "baseline", NULL) != MS_OK)
        failed("model");
    else if (ms_broker_open(&broker, broker_uri, &broker_options) != MS_OK)
        failed("broker");
    else
        code = trade(source, model, broker, symbols, n);
    ms_broker_free(broker);
    ms_model_free(model);
    ms_source_free(source);
    return code;
}

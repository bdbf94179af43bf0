/*
 * cmd_account.c - `marketsim account`: what a broker holds now, read
 * only: cash, equity and buying power, the open positions with their
 * unrealised P&L, the working orders, and the fills since a date with the
 * P&L they realised; as text (100 columns) or one JSON document. Only the
 * public broker API is used, so the simulated broker and Alpaca show
 * alike; no key or secret is ever printed.
 *
 * Realised P&L needs the cost basis of what a fill closes, which older
 * fills set: the whole fill history is read (ms_broker_fills after 0) and
 * only the fills since --since are shown. Where the fills of a symbol do
 * not add up to the position the broker holds (a transfer, a fee taken in
 * the coin, history the broker no longer lists), its P&L rests on an
 * incomplete basis, and the output says so.
 */
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

static const cli_usage usage = {
    "usage: marketsim account [--broker sim:PATH|alpaca] [--since YYYY-MM-DD] [--json]\n"
    "\n"
    "Shows the broker's account: cash, equity, buying power, open positions with\n"
    "unrealised P&L, working orders, and the fills since a date with the P&L they\n"
    "realised (average cost). Reads only: nothing is sent or written.\n"
    "\n",
    NULL,
};

typedef struct account_args {
    const char *broker;
    bool json;
    int64_t since;                 /* UTC seconds; 0: the default window */
} account_args;

enum { OPT_BROKER = 256, OPT_JSON, OPT_SINCE };

/* The default window of fills: the 30 days before the broker's clock. */
#define DEFAULT_DAYS 30
#define SECONDS_PER_DAY 86400

static const cli_flag flags[] = {
    { "broker", required_argument, OPT_BROKER, "alpaca|sim:PATH",
      "the broker (default: alpaca when APCA_API_KEY_ID is set,\n"
      "else sim:$XDG_STATE_HOME/marketsim/sim.journal)" },
    { "since", required_argument, OPT_SINCE, "YYYY-MM-DD",
      "fills and realised P&L from that UTC day on (default: the\n"
      "30 days before the broker's clock)" },
    { "json", no_argument, OPT_JSON, NULL, "one JSON document instead of the text" },
    CLI_HELP_FLAG,
    { NULL },
};

/* "YYYY-MM-DD" -> the start of that UTC day; false for anything else.
 * ms_as_of_parse checks the date and gives the day's last second. */
static bool parse_day(const char *text, int64_t *out)
{
    int64_t end = 0;
    if (strlen(text) != 10 || ms_as_of_parse(text, &end) != MS_OK || end < SECONDS_PER_DAY)
        return false;
    *out = end - (SECONDS_PER_DAY - 1);
    return true;
}

static int apply_flag(void *context, int option, const char *value)
{
    account_args *args = context;
    if (option == OPT_SINCE && !parse_day(value, &args->since))
        return cli_usage_error("account", "--since needs a date YYYY-MM-DD, got '%s'", value);
    if (option == OPT_BROKER)
        args->broker = value;
    else if (option == OPT_JSON)
        args->json = true;
    return CLI_EXIT_OK;
}

/* What is shown: read once, then printed. */
typedef struct holdings {
    ms_account account;
    ms_position *positions;
    size_t position_count;
    ms_order *orders;
    size_t order_count;
    ms_fills *fills;               /* the whole history */
    int64_t since;                 /* the fills shown are from here on */
} holdings;

/* The position the broker holds in `symbol` (a fill's spelling), 0 when none. */
static double held_qty(const holdings *h, const char *symbol)
{
    for (size_t i = 0; i < h->position_count; i++)
        if (strcmp(h->positions[i].symbol, symbol) == 0)
            return h->positions[i].qty;
    return 0;
}

/* Whether the fills of `symbol` (its last fill at `last`) add up to the
 * position the broker holds: else its basis is incomplete. */
static bool adds_up(const holdings *h, const ms_fill *last)
{
    double held = held_qty(h, last->symbol);
    return fabs(last->position_after - held) <= 1e-6 * fmax(1.0, fabs(held));
}

static bool listed(const char *const *symbols, size_t count, const char *symbol)
{
    for (size_t i = 0; i < count; i++)
        if (strcmp(symbols[i], symbol) == 0)
            return true;
    return false;
}

/* Calls `each` for every symbol whose fills do not add up to its
 * position: checked at each symbol's last fill (walking back from the
 * newest), and for positions with no fill at all. */
static void for_each_mismatch(const holdings *h, void (*each)(void *context, const char *symbol),
                              void *context)
{
    size_t n = ms_fills_count(h->fills), seen = 0;
    const char **symbols = calloc(n + 1, sizeof *symbols);
    if (symbols == NULL)
        return;
    for (size_t i = n; i-- > 0;) {
        const ms_fill *fill = ms_fills_at(h->fills, i);
        if (listed(symbols, seen, fill->symbol))
            continue;
        symbols[seen++] = fill->symbol;
        if (!adds_up(h, fill))
            each(context, fill->symbol);
    }
    for (size_t i = 0; i < h->position_count; i++)
        if (!listed(symbols, seen, h->positions[i].symbol))
            each(context, h->positions[i].symbol);
    free(symbols);
}

/* A number, or null where it is undefined (a market order's limit). */
static json_t *real(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
}

static void add_symbol(void *context, const char *symbol)
{
    json_array_append_new(context, json_string(symbol));
}

/* The fills document (ms_fills_to_json) merged into `root`, with the
 * symbols whose basis is incomplete. */
static void add_fills_json(json_t *root, const holdings *h)
{
    char *text = NULL;
    if (ms_fills_to_json(h->fills, h->since, &text) != MS_OK)
        return;
    json_t *fills = json_loads(text, 0, NULL);
    ms_free(text);
    json_object_update(root, fills);
    json_decref(fills);
    json_t *incomplete = json_array();
    for_each_mismatch(h, add_symbol, incomplete);
    json_object_set_new(root, "basis_incomplete", incomplete);
}

static void print_json(const holdings *h)
{
    json_t *positions = json_array(), *orders = json_array();
    for (size_t i = 0; i < h->position_count; i++) {
        const ms_position *p = &h->positions[i];
        json_array_append_new(positions, json_pack("{s:s, s:o, s:o, s:o, s:o, s:o}", "symbol",
                                                   p->symbol, "qty", real(p->qty),
                                                   "avg_entry_price", real(p->avg_entry_price),
                                                   "current_price", real(p->current_price),
                                                   "market_value", real(p->market_value),
                                                   "unrealized_pl", real(p->unrealized_pl)));
    }
    for (size_t i = 0; i < h->order_count; i++) {
        const ms_order *o = &h->orders[i];
        json_array_append_new(orders, json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:s}", "id", o->id,
                                                "client_order_id", o->client_order_id, "symbol",
                                                o->symbol, "side", o->side > 0 ? "buy" : "sell",
                                                "qty", real(o->qty), "limit_price",
                                                real(o->limit_price), "status", o->status));
    }
    json_t *root = json_pack("{s:o, s:o, s:o, s:o, s:o}", "cash", real(h->account.cash), "equity",
                             real(h->account.equity), "buying_power",
                             real(h->account.buying_power), "positions", positions, "orders",
                             orders);
    add_fills_json(root, h);
    char *text = json_dumps(root, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (text != NULL)
        printf("%s\n", text);
    free(text);
    json_decref(root);
}

static void print_mismatch(void *context, const char *symbol)
{
    (void)context;
    printf("  note: the fills of %s do not add up to the position held (a transfer, a fee\n"
           "  taken in the coin, or fills older than the broker lists): its P&L rests on an\n"
           "  incomplete basis\n", symbol);
}

/* Prices print to the instrument's tick, as in every text form. */
static int price_decimals(const char *symbol, double price)
{
    return ms_price_decimals(ms_symbol_asset_class(symbol), price);
}

static void print_text(const holdings *h, const char *broker)
{
    double unrealized = 0;
    for (size_t i = 0; i < h->position_count; i++)
        unrealized += isfinite(h->positions[i].unrealized_pl) ? h->positions[i].unrealized_pl : 0;
    printf("account (%s): cash $%.2f, equity $%.2f, buying power $%.2f\n", broker,
           h->account.cash, h->account.equity, h->account.buying_power);
    printf("\npositions (%zu), unrealised P&L $%+.2f:\n", h->position_count, unrealized);
    if (h->position_count > 0)
        printf("  %-10s %12s %14s %14s %14s %14s\n", "symbol", "qty", "avg entry $", "price $",
               "value $", "unrealised $");
    for (size_t i = 0; i < h->position_count; i++) {
        const ms_position *p = &h->positions[i];
        printf("  %-10s %12.6g %14.*f %14.*f %14.2f %+14.2f\n", p->symbol, p->qty,
               price_decimals(p->symbol, p->avg_entry_price), p->avg_entry_price,
               price_decimals(p->symbol, p->current_price), p->current_price, p->market_value,
               p->unrealized_pl);
    }
    printf("\nworking orders (%zu):\n", h->order_count);
    for (size_t i = 0; i < h->order_count; i++) {
        const ms_order *o = &h->orders[i];
        printf("  %-4s %-10s %12.6g limit %-12.*f %-10s %s\n", o->side > 0 ? "buy" : "sell",
               o->symbol, o->qty, price_decimals(o->symbol, o->limit_price), o->limit_price,
               o->status, o->client_order_id);
    }
    char *text = NULL;
    if (ms_fills_to_text(h->fills, h->since, &text) == MS_OK)
        printf("\n%s", text);
    ms_free(text);
    for_each_mismatch(h, print_mismatch, (void *)h);
}

static int show(const account_args *args)
{
    ms_broker_options options;
    int code = cli_init_status("account", "broker options",
                               ms_broker_options_init(&options, MS_BROKER_OPTIONS_VERSION));
    if (code != CLI_EXIT_OK)
        return code;
    options.read_only = 1;
    options.from_env = 1;
    ms_broker *broker = NULL;
    holdings h = { 0 };
    char buffer[4096];
    const char *uri = NULL;
    ms_status status = cli_broker_uri(args->broker, &options, buffer, sizeof buffer, &uri);
    if (status == MS_OK)
        status = ms_broker_open(&broker, uri, &options);
    if (status == MS_OK)
        status = ms_broker_account(broker, &h.account);
    if (status == MS_OK)
        status = ms_broker_positions(broker, &h.positions, &h.position_count);
    if (status == MS_OK)
        status = ms_broker_orders(broker, "open", &h.orders, &h.order_count);
    /* The whole history: what the shown fills close was opened earlier. */
    if (status == MS_OK)
        status = ms_broker_fills(broker, 0, &h.fills);
    ms_market_clock clock;
    h.since = args->since;
    if (status == MS_OK && h.since == 0 && (status = ms_broker_clock(broker, &clock)) == MS_OK)
        h.since = (clock.timestamp / SECONDS_PER_DAY - DEFAULT_DAYS) * SECONDS_PER_DAY;
    code = status == MS_OK ? CLI_EXIT_OK : cli_setup_error("account", "broker", status);
    if (code == CLI_EXIT_OK && args->json)
        print_json(&h);
    else if (code == CLI_EXIT_OK)
        print_text(&h, ms_broker_name(broker));
    ms_free(h.positions);
    ms_free(h.orders);
    ms_fills_free(h.fills);
    ms_broker_free(broker);
    return code;
}

int cli_account(int argc, char **argv)
{
    account_args args = { 0 };
    int code = cli_parse_flag_table("account", argc, argv, flags, &usage, apply_flag, &args);
    return code >= 0 ? code : show(&args);
}

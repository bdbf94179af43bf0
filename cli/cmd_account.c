/*
 * cmd_account.c - `marketsim account`: what a broker holds now, read
 * only: cash, equity and buying power, the open positions with their
 * unrealised P&L, and the working orders; as text (100 columns) or one
 * JSON document. Only the public broker API is used, so the simulated
 * broker and Alpaca show alike; no key or secret is ever printed.
 */
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "cli.h"

static const char usage[] =
    "usage: marketsim account [--broker sim:PATH|alpaca] [--json]\n"
    "\n"
    "Shows the broker's account: cash, equity, buying power, open positions with\n"
    "unrealised P&L, and working orders. Reads only: nothing is sent or written.\n"
    "\n"
    "  --broker alpaca|sim:PATH  the broker (default: alpaca when APCA_API_KEY_ID is set,\n"
    "                         else sim:$XDG_STATE_HOME/marketsim/sim.journal)\n"
    "  --json                 one JSON document instead of the text\n"
    "  -h, --help             this help\n";

typedef struct account_args {
    const char *broker;
    bool json;
} account_args;

enum { OPT_BROKER = 256, OPT_JSON };

static const struct option long_options[] = {
    { "broker", required_argument, NULL, OPT_BROKER },
    { "json", no_argument, NULL, OPT_JSON },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
};

static int apply_flag(void *context, int option, const char *value)
{
    account_args *args = context;
    if (option == OPT_BROKER)
        args->broker = value;
    else if (option == OPT_JSON)
        args->json = true;
    else
        return cli_usage_error("account", "unknown option");
    return CLI_EXIT_OK;
}

/* What is shown: read once, then printed. */
typedef struct holdings {
    ms_account account;
    ms_position *positions;
    size_t position_count;
    ms_order *orders;
    size_t order_count;
} holdings;

/* A number, or null where it is undefined (a market order's limit). */
static json_t *real(double value)
{
    return isfinite(value) ? json_real(value) : json_null();
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
    char *text = json_dumps(root, JSON_INDENT(2));
    if (text != NULL)
        printf("%s\n", text);
    free(text);
    json_decref(root);
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
        printf("  %-10s %12.6g %14.4f %14.4f %14.2f %+14.2f\n", p->symbol, p->qty,
               p->avg_entry_price, p->current_price, p->market_value, p->unrealized_pl);
    }
    printf("\nworking orders (%zu):\n", h->order_count);
    for (size_t i = 0; i < h->order_count; i++) {
        const ms_order *o = &h->orders[i];
        printf("  %-4s %-10s %12.6g limit %-12.6g %-10s %s\n", o->side > 0 ? "buy" : "sell",
               o->symbol, o->qty, o->limit_price, o->status, o->client_order_id);
    }
}

static int show(const account_args *args)
{
    ms_broker_options options = MS_BROKER_OPTIONS_INIT;
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
    int code = status == MS_OK ? CLI_EXIT_OK : cli_setup_error("account", "broker", status);
    if (code == CLI_EXIT_OK && args->json)
        print_json(&h);
    else if (code == CLI_EXIT_OK)
        print_text(&h, ms_broker_name(broker));
    ms_free(h.positions);
    ms_free(h.orders);
    ms_broker_free(broker);
    return code;
}

int cli_account(int argc, char **argv)
{
    account_args args = { 0 };
    int code = cli_parse_flags("account", argc, argv, long_options, usage, apply_flag, &args);
    return code >= 0 ? code : show(&args);
}

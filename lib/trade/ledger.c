/*
 * ledger.c - the ledger of our own orders (ledger.h) in SQLite: one table of
 * orders keyed by client_order_id, one of adjustments. SQLite gives atomic,
 * durable single-row writes and safe concurrent access from several
 * processes, which a cycle killed at any point relies on: an order is
 * recorded before it is sent, so the next cycle can always look it up.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ledger.h"

/* "MSLG": marks the file as a marketsim ledger (PRAGMA application_id). */
#define LEDGER_APPLICATION_ID 0x4d534c47
#define LEDGER_SCHEMA_VERSION 1
/* Another process writing the same ledger waits this long, not forever. */
#define BUSY_TIMEOUT_MS 10000

struct ms_ledger {
    sqlite3 *db;
    char *path;
};

static const char schema[] =
    "CREATE TABLE IF NOT EXISTS orders ("
    " client_order_id TEXT PRIMARY KEY, cycle_date TEXT NOT NULL, symbol TEXT NOT NULL,"
    " kind INTEGER NOT NULL, side INTEGER NOT NULL, qty REAL NOT NULL, take_profit REAL,"
    " broker_id TEXT NOT NULL DEFAULT '', status TEXT NOT NULL DEFAULT '',"
    " filled_qty REAL NOT NULL DEFAULT 0, leg_id TEXT NOT NULL DEFAULT '',"
    " leg_status TEXT NOT NULL DEFAULT '', leg_filled_qty REAL NOT NULL DEFAULT 0,"
    " open INTEGER NOT NULL DEFAULT 1, seq INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS orders_open ON orders(open);"
    "CREATE INDEX IF NOT EXISTS orders_symbol ON orders(symbol);"
    "CREATE TABLE IF NOT EXISTS adjustments ("
    " id INTEGER PRIMARY KEY, symbol TEXT NOT NULL, qty REAL NOT NULL, reason TEXT NOT NULL,"
    " time INTEGER NOT NULL);"
    /* Added after version 1 shipped without a version bump: an older
     * marketsim ignores the table, and this one creates it in an older file. */
    "CREATE TABLE IF NOT EXISTS cycles (time INTEGER NOT NULL);";

static ms_status db_error(const ms_ledger *ledger, const char *doing)
{
    return ms_error(MS_ERR_IO, "ledger %s: %s: %s", ledger->path, doing, sqlite3_errmsg(ledger->db));
}

static ms_status run(ms_ledger *ledger, const char *sql, const char *doing)
{
    return sqlite3_exec(ledger->db, sql, NULL, NULL, NULL) == SQLITE_OK ? MS_OK
                                                                        : db_error(ledger, doing);
}

static int pragma_int(ms_ledger *ledger, const char *sql)
{
    sqlite3_stmt *statement = NULL;
    int value = -1;
    if (sqlite3_prepare_v2(ledger->db, sql, -1, &statement, NULL) == SQLITE_OK &&
        sqlite3_step(statement) == SQLITE_ROW)
        value = sqlite3_column_int(statement, 0);
    sqlite3_finalize(statement);
    return value;
}

/* A new file gets the schema and our mark; an existing one must carry it. */
static ms_status check_or_create_schema(ms_ledger *ledger)
{
    int application_id = pragma_int(ledger, "PRAGMA application_id");
    int tables = pragma_int(ledger, "SELECT count(*) FROM sqlite_master");
    if (application_id < 0 || tables < 0)
        return ms_error(MS_ERR_PARSE, "%s is not a marketsim ledger (not an SQLite database)",
                        ledger->path);
    if (tables > 0 && application_id != LEDGER_APPLICATION_ID)
        return ms_error(MS_ERR_PARSE, "%s is not a marketsim ledger (another SQLite database)",
                        ledger->path);
    if (tables > 0 && pragma_int(ledger, "PRAGMA user_version") > LEDGER_SCHEMA_VERSION)
        return ms_error(MS_ERR_PARSE, "ledger %s was written by a newer marketsim", ledger->path);
    char marks[96];
    snprintf(marks, sizeof marks, "PRAGMA application_id=%d; PRAGMA user_version=%d;",
             LEDGER_APPLICATION_ID, LEDGER_SCHEMA_VERSION);
    ms_status status = run(ledger, schema, "creating the tables");
    return status == MS_OK && tables == 0 ? run(ledger, marks, "marking the file") : status;
}

/* A dry run works on a copy in memory of the file as it is. */
static ms_status copy_into_memory(ms_ledger *ledger, const char *path)
{
    sqlite3 *file = NULL;
    if (sqlite3_open_v2(path, &file, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        sqlite3_close(file);
        return MS_OK; /* no file yet: an empty ledger */
    }
    sqlite3_backup *backup = sqlite3_backup_init(ledger->db, "main", file, "main");
    int rc = backup != NULL ? sqlite3_backup_step(backup, -1) : SQLITE_ERROR;
    sqlite3_backup_finish(backup);
    ms_status status = rc == SQLITE_DONE ? MS_OK
                       : ms_error(MS_ERR_PARSE, "%s is not a marketsim ledger: %s", path,
                                  sqlite3_errmsg(ledger->db));
    sqlite3_close(file);
    return status;
}

static ms_status open_database(ms_ledger *ledger, const char *path, bool read_only)
{
    if (read_only) {
        if (sqlite3_open(":memory:", &ledger->db) != SQLITE_OK)
            return db_error(ledger, "opening a copy in memory");
        return copy_into_memory(ledger, path);
    }
    ms_status status = ms_make_directories(path, 0, 0700);
    if (status != MS_OK)
        return status;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW;
    if (sqlite3_open_v2(path, &ledger->db, flags, NULL) != SQLITE_OK)
        return db_error(ledger, "opening");
    sqlite3_busy_timeout(ledger->db, BUSY_TIMEOUT_MS);
    return MS_OK;
}

ms_status ms_ledger_open(ms_ledger **out, const char *path, bool read_only)
{
    *out = NULL;
    ms_ledger *ledger = calloc(1, sizeof *ledger);
    if (ledger == NULL || (ledger->path = ms_strdup(path)) == NULL) {
        free(ledger);
        return ms_error(MS_ERR_NOMEM, "out of memory opening the ledger");
    }
    ms_status status = open_database(ledger, path, read_only);
    if (status == MS_OK)
        status = check_or_create_schema(ledger);
    if (status != MS_OK) {
        ms_ledger_close(ledger);
        return status;
    }
    *out = ledger;
    return MS_OK;
}

void ms_ledger_close(ms_ledger *ledger)
{
    if (ledger == NULL)
        return;
    sqlite3_close(ledger->db);
    free(ledger->path);
    free(ledger);
}

static sqlite3_stmt *prepare(ms_ledger *ledger, const char *sql)
{
    sqlite3_stmt *statement = NULL;
    if (sqlite3_prepare_v2(ledger->db, sql, -1, &statement, NULL) != SQLITE_OK) {
        sqlite3_finalize(statement);
        return NULL;
    }
    return statement;
}

static void bind_text(sqlite3_stmt *statement, int index, const char *text)
{
    sqlite3_bind_text(statement, index, text, -1, SQLITE_TRANSIENT);
}

static void bind_price(sqlite3_stmt *statement, int index, double value)
{
    if (isfinite(value))
        sqlite3_bind_double(statement, index, value);
    else
        sqlite3_bind_null(statement, index);
}

/* Runs a prepared statement that returns no rows, then finalizes it. */
static ms_status finish(ms_ledger *ledger, sqlite3_stmt *statement, const char *doing)
{
    int rc = statement != NULL ? sqlite3_step(statement) : SQLITE_ERROR;
    ms_status status = rc == SQLITE_DONE ? MS_OK : db_error(ledger, doing);
    sqlite3_finalize(statement);
    return status;
}

ms_status ms_ledger_record(ms_ledger *ledger, const ms_ledger_order *order)
{
    sqlite3_stmt *statement = prepare(ledger,
        "INSERT OR IGNORE INTO orders (client_order_id, cycle_date, symbol, kind, side, qty,"
        " take_profit, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
        " (SELECT coalesce(max(seq), 0) + 1 FROM orders))");
    if (statement != NULL) {
        bind_text(statement, 1, order->client_order_id);
        bind_text(statement, 2, order->cycle_date);
        bind_text(statement, 3, order->symbol);
        sqlite3_bind_int(statement, 4, (int)order->kind);
        sqlite3_bind_int(statement, 5, order->side);
        sqlite3_bind_double(statement, 6, order->qty);
        bind_price(statement, 7, order->take_profit);
    }
    return finish(ledger, statement, "recording an order");
}

ms_status ms_ledger_update(ms_ledger *ledger, const ms_ledger_order *order)
{
    sqlite3_stmt *statement = prepare(ledger,
        "UPDATE orders SET broker_id = ?2, status = ?3, filled_qty = ?4, leg_id = ?5,"
        " leg_status = ?6, leg_filled_qty = ?7, open = ?8 WHERE client_order_id = ?1");
    if (statement != NULL) {
        bind_text(statement, 1, order->client_order_id);
        bind_text(statement, 2, order->broker_id);
        bind_text(statement, 3, order->status);
        sqlite3_bind_double(statement, 4, order->filled_qty);
        bind_text(statement, 5, order->leg_id);
        bind_text(statement, 6, order->leg_status);
        sqlite3_bind_double(statement, 7, order->leg_filled_qty);
        sqlite3_bind_int(statement, 8, order->open ? 1 : 0);
    }
    return finish(ledger, statement, "updating an order");
}

#define ORDER_COLUMNS \
    "client_order_id, cycle_date, symbol, kind, side, qty, take_profit, broker_id, status," \
    " filled_qty, leg_id, leg_status, leg_filled_qty, open"

static void copy_text(sqlite3_stmt *statement, int column, char *out, size_t size)
{
    const unsigned char *text = sqlite3_column_text(statement, column);
    snprintf(out, size, "%s", text != NULL ? (const char *)text : "");
}

static void read_row(sqlite3_stmt *statement, ms_ledger_order *out)
{
    memset(out, 0, sizeof *out);
    copy_text(statement, 0, out->client_order_id, sizeof out->client_order_id);
    copy_text(statement, 1, out->cycle_date, sizeof out->cycle_date);
    copy_text(statement, 2, out->symbol, sizeof out->symbol);
    out->kind = (ms_ledger_kind)sqlite3_column_int(statement, 3);
    out->side = sqlite3_column_int(statement, 4);
    out->qty = sqlite3_column_double(statement, 5);
    out->take_profit = sqlite3_column_type(statement, 6) == SQLITE_NULL
                           ? NAN : sqlite3_column_double(statement, 6);
    copy_text(statement, 7, out->broker_id, sizeof out->broker_id);
    copy_text(statement, 8, out->status, sizeof out->status);
    out->filled_qty = sqlite3_column_double(statement, 9);
    copy_text(statement, 10, out->leg_id, sizeof out->leg_id);
    copy_text(statement, 11, out->leg_status, sizeof out->leg_status);
    out->leg_filled_qty = sqlite3_column_double(statement, 12);
    out->open = sqlite3_column_int(statement, 13) != 0;
}

bool ms_ledger_find(ms_ledger *ledger, const char *client_order_id, ms_ledger_order *out)
{
    sqlite3_stmt *statement = prepare(ledger, "SELECT " ORDER_COLUMNS " FROM orders"
                                              " WHERE client_order_id = ?1");
    if (statement == NULL)
        return false;
    bind_text(statement, 1, client_order_id);
    bool found = sqlite3_step(statement) == SQLITE_ROW;
    if (found)
        read_row(statement, out);
    sqlite3_finalize(statement);
    return found;
}

ms_status ms_ledger_open_orders(ms_ledger *ledger, ms_ledger_order **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    sqlite3_stmt *statement = prepare(ledger, "SELECT " ORDER_COLUMNS " FROM orders WHERE open = 1"
                                              " ORDER BY seq");
    if (statement == NULL)
        return db_error(ledger, "listing open orders");
    ms_status status = MS_OK;
    size_t capacity = 0;
    int rc;
    while ((rc = sqlite3_step(statement)) == SQLITE_ROW && status == MS_OK) {
        if (ms_reserve(out, &capacity, *count + 1, sizeof **out) != MS_OK) {
            status = ms_error(MS_ERR_NOMEM, "out of memory reading the ledger");
            break;
        }
        read_row(statement, &(*out)[(*count)++]);
    }
    if (status == MS_OK && rc != SQLITE_DONE)
        status = db_error(ledger, "listing open orders");
    sqlite3_finalize(statement);
    if (status != MS_OK) {
        free(*out);
        *out = NULL;
        *count = 0;
    }
    return status;
}

/* One number from a query with the symbol as its only parameter. */
static ms_status sum_for_symbol(ms_ledger *ledger, const char *sql, const char *symbol, double *out)
{
    sqlite3_stmt *statement = prepare(ledger, sql);
    if (statement == NULL)
        return db_error(ledger, "summing holdings");
    bind_text(statement, 1, symbol);
    int rc = sqlite3_step(statement);
    *out = rc == SQLITE_ROW ? sqlite3_column_double(statement, 0) : 0.0;
    sqlite3_finalize(statement);
    return rc == SQLITE_ROW ? MS_OK : db_error(ledger, "summing holdings");
}

ms_status ms_ledger_holding(ms_ledger *ledger, const char *symbol, double *qty)
{
    /* A take-profit leg trades against its entry: the other side. */
    double fills = 0, adjusted = 0;
    ms_status status = sum_for_symbol(ledger,
        "SELECT coalesce(sum(side * filled_qty - side * leg_filled_qty), 0) FROM orders"
        " WHERE symbol = ?1", symbol, &fills);
    if (status == MS_OK)
        status = sum_for_symbol(ledger, "SELECT coalesce(sum(qty), 0) FROM adjustments"
                                        " WHERE symbol = ?1", symbol, &adjusted);
    *qty = fills + adjusted;
    return status;
}

bool ms_ledger_entry_take_profit(ms_ledger *ledger, const char *symbol, int *side, double *price)
{
    sqlite3_stmt *statement = prepare(ledger, "SELECT side, take_profit FROM orders WHERE symbol = ?1"
                                              " AND kind = ?2 AND filled_qty > 0 AND take_profit"
                                              " IS NOT NULL ORDER BY seq DESC LIMIT 1");
    if (statement == NULL)
        return false;
    bind_text(statement, 1, symbol);
    sqlite3_bind_int(statement, 2, MS_LEDGER_ENTRY);
    bool found = sqlite3_step(statement) == SQLITE_ROW;
    if (found) {
        *side = sqlite3_column_int(statement, 0);
        *price = sqlite3_column_double(statement, 1);
    }
    sqlite3_finalize(statement);
    return found;
}

bool ms_ledger_knows_broker_id(ms_ledger *ledger, const char *broker_id)
{
    if (*broker_id == '\0')
        return false;
    sqlite3_stmt *statement = prepare(ledger, "SELECT 1 FROM orders WHERE broker_id = ?1"
                                              " OR leg_id = ?1 LIMIT 1");
    if (statement == NULL)
        return false;
    bind_text(statement, 1, broker_id);
    bool found = sqlite3_step(statement) == SQLITE_ROW;
    sqlite3_finalize(statement);
    return found;
}

ms_status ms_ledger_adjust(ms_ledger *ledger, const char *symbol, double qty, const char *reason,
                           int64_t time)
{
    sqlite3_stmt *statement = prepare(ledger, "INSERT INTO adjustments (symbol, qty, reason, time)"
                                              " VALUES (?1, ?2, ?3, ?4)");
    if (statement != NULL) {
        bind_text(statement, 1, symbol);
        sqlite3_bind_double(statement, 2, qty);
        bind_text(statement, 3, reason);
        sqlite3_bind_int64(statement, 4, time);
    }
    return finish(ledger, statement, "recording an adjustment");
}

bool ms_ledger_last_cycle(ms_ledger *ledger, int64_t *time)
{
    sqlite3_stmt *statement = prepare(ledger, "SELECT max(time) FROM cycles");
    bool found = statement != NULL && sqlite3_step(statement) == SQLITE_ROW &&
                 sqlite3_column_type(statement, 0) != SQLITE_NULL;
    if (found)
        *time = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    return found;
}

ms_status ms_ledger_record_cycle(ms_ledger *ledger, int64_t time)
{
    sqlite3_stmt *statement = prepare(ledger, "INSERT INTO cycles (time) VALUES (?1)");
    if (statement != NULL)
        sqlite3_bind_int64(statement, 1, time);
    return finish(ledger, statement, "recording the cycle");
}

bool ms_ledger_find_broker_id(ms_ledger *ledger, const char *broker_id, ms_ledger_order *out,
                              bool *is_leg)
{
    if (*broker_id == '\0')
        return false;
    sqlite3_stmt *statement = prepare(ledger, "SELECT " ORDER_COLUMNS " FROM orders"
                                              " WHERE broker_id = ?1 OR leg_id = ?1 LIMIT 1");
    if (statement == NULL)
        return false;
    bind_text(statement, 1, broker_id);
    bool found = sqlite3_step(statement) == SQLITE_ROW;
    if (found) {
        read_row(statement, out);
        *is_leg = strcmp(out->leg_id, broker_id) == 0;
    }
    sqlite3_finalize(statement);
    return found;
}

/*
 * data_internal.h - the data layer's private side, shared between its
 * files: the bar series layout, the per-bar value rules (used by
 * ms_bars_create, the CSV loader and the synthetic market), the pieces of
 * the CSV loader (shared with the forecasts reader), the market draws, the
 * synthetic market and the source object. UTC date arithmetic lives in
 * core (core_internal.h).
 */
#ifndef MS_DATA_INTERNAL_H
#define MS_DATA_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core_internal.h"
#include "marketsim/data.h"

#define MS_COLUMN_COUNT 5

/* A bar series. Every array has `len` entries; columns are indexed by
 * ms_column. One allocation holds the timestamps and all columns. */
struct ms_bars {
    char *symbol;
    size_t len;
    int64_t *timestamps;
    double *columns[MS_COLUMN_COUNT];
};

/* Allocates a series of n bars (n >= 1) whose arrays the caller fills.
 * Errors: MS_ERR_NOMEM. */
ms_status ms_bars_alloc(ms_bars **out, const char *symbol, size_t n);

/* The canonical lower-case name of a column ("open", ..., "volume"). */
const char *ms_column_name(ms_column column);

/* ---- Value rules (bar_rules.c) ------------------------------------------- */

/* One bar's values, indexed by ms_column. */
typedef struct ms_bar {
    double values[MS_COLUMN_COUNT];
} ms_bar;

/* Where a bar came from, for messages: "JD.csv:57" (is_line; source is the
 * file and number its line) or "AAPL: row 56" (source is the symbol and
 * number the 0-based row). */
typedef struct ms_bar_site {
    const char *source;
    size_t number;
    bool is_line;
} ms_bar_site;

/* Copies `opts` (NULL: the defaults) into *out after checking its version,
 * policy and tolerance. Errors: MS_ERR_INVALID_ARG. */
ms_status ms_bars_options_resolve(const ms_bars_options *opts,
                                  ms_bars_options *out);

/* Checks one bar: prices finite and > 0, volume finite and >= 0, high and
 * low containing open and close within opts->ohlc_tolerance. Under
 * MS_OHLC_REPAIR an uncontained high/low is widened in place and a warning
 * logged. `opts` must be resolved. Errors: MS_ERR_DATA naming the site and
 * field. */
ms_status ms_bar_check(ms_bar *bar, const ms_bars_options *opts,
                       const ms_bar_site *site);

/* ---- CSV text (csv_text.c) ----------------------------------------------- */

/* A slice of the text being parsed; not NUL-terminated. */
typedef struct ms_text_span {
    const char *text;
    size_t len;
} ms_text_span;

/* Walks the lines of a CSV text; `line` is the 1-based number of the line
 * last returned. */
typedef struct ms_csv_reader {
    const char *at;
    const char *end;
    size_t line;
} ms_csv_reader;

/* Starts reading `text`, skipping a UTF-8 byte order mark. */
void ms_csv_reader_init(ms_csv_reader *reader, const char *text, size_t len);

/* The next line without its "\n" or "\r\n"; false at the end. */
bool ms_csv_next_line(ms_csv_reader *reader, ms_text_span *line);

/* True when the line holds only whitespace. */
bool ms_csv_line_is_blank(ms_text_span line);

/* True when the text starts with a UTF-16 byte order mark (FF FE or FE FF). */
bool ms_csv_is_utf16(const char *text, size_t len);

/* Copies at most `limit` bytes of `span` into `out` (NUL-terminated, cut to
 * `capacity`) for quoting in a message, as ms_quote_bytes does: printable
 * ASCII is kept, every other byte is written as \xNN. Messages then stay
 * valid UTF-8 whatever the file's encoding. */
void ms_csv_quote(char *out, size_t capacity, ms_text_span span, size_t limit);

/* Walks the comma-separated fields of one line. */
typedef struct ms_csv_fields {
    const char *at;
    const char *end;
    bool done;
} ms_csv_fields;

typedef enum ms_csv_field_result {
    MS_CSV_FIELD = 0,       /* *field holds the next field */
    MS_CSV_LINE_END = 1,    /* the line has no more fields */
    MS_CSV_BAD_QUOTE = 2    /* a quoted field is not closed, or text follows it */
} ms_csv_field_result;

void ms_csv_fields_init(ms_csv_fields *fields, ms_text_span line);

/* The next field, trimmed of surrounding whitespace and of its double
 * quotes; a doubled quote inside quotes is kept as is (never needed for
 * the dates and numbers read from bars files). */
ms_csv_field_result ms_csv_next_field(ms_csv_fields *fields, ms_text_span *field);

/* ---- CSV header (csv_header.c) ------------------------------------------- */

/* What a column holds: the ms_column values, then the date. */
enum { MS_CSV_DATE = MS_COLUMN_COUNT, MS_CSV_ROLE_COUNT = MS_COLUMN_COUNT + 1 };

/* Where each role sits in a row (-1: absent, only volume may be). */
typedef struct ms_csv_layout {
    size_t columns;
    long column_of[MS_CSV_ROLE_COUNT];
} ms_csv_layout;

/* A role's bit in the masks of ms_csv_find_columns. */
#define MS_CSV_ROLE(role) (1u << (role))

/* Finds the columns of a bars file in a header line (volume optional).
 * Errors: MS_ERR_PARSE naming the source, line and the missing or repeated
 * columns. */
ms_status ms_csv_read_header(ms_csv_layout *layout, ms_text_span header,
                             const char *source_name, size_t line);

/* Finds the columns of the `wanted` roles (MS_CSV_ROLE masks; every other
 * column is ignored, as unknown names are); each `required` one must be
 * there. Errors as ms_csv_read_header. */
ms_status ms_csv_find_columns(ms_csv_layout *layout, ms_text_span header,
                              const char *source_name, size_t line, unsigned wanted,
                              unsigned required);

/* ---- CSV rows (csv_rows.c, csv_order.c) ---------------------------------- */

/* Parses a whole field as a number, exactly as ms_parse_double would but
 * faster for plain decimals (csv_number.c). */
bool ms_csv_parse_number(const char *text, size_t len, double *out);

/* One parsed data row and the line it came from. */
typedef struct ms_csv_row {
    int64_t timestamp;
    size_t line;
    ms_bar bar;
} ms_csv_row;

/* Parses one data line into *row: the field count, the date and the
 * numbers of the layout's columns (others 0), not the value rules. Errors:
 * MS_ERR_PARSE naming the source, line and field. */
ms_status ms_csv_parse_row(ms_csv_row *row, ms_text_span line, size_t line_number,
                           const ms_csv_layout *layout, const char *source_name);

/* Parses and checks one data line into *row. Errors: MS_ERR_PARSE (field
 * count, numbers, dates), MS_ERR_DATA (value rules); messages name the
 * source, line and field. */
ms_status ms_csv_read_row(ms_csv_row *row, ms_text_span line, size_t line_number,
                          const ms_csv_layout *layout, const char *source_name,
                          const ms_bars_options *opts);

/* Sorts rows by timestamp, drops exact duplicates and returns the number
 * kept in *kept. Errors: MS_ERR_DATA for two different rows with one
 * timestamp, naming both lines. */
ms_status ms_csv_order_rows(ms_csv_row *rows, size_t count, size_t *kept,
                            const char *source_name);

/* A CSV file's data rows in time order (csv.c), and where its columns are. */
typedef struct ms_csv_table {
    ms_csv_layout layout;
    ms_csv_row *rows;            /* malloc'ed; `count` used */
    size_t count;
} ms_csv_table;

/* Reads a CSV text whole: the header (ms_csv_find_columns with `wanted`
 * and `required`), every data row (checked by the bar value rules when
 * `opts` is not NULL, else only parsed: the date and numbers), then
 * ms_csv_order_rows. At least one row. The caller frees table->rows.
 * Errors: MS_ERR_PARSE, MS_ERR_DATA naming the source, line and field;
 * MS_ERR_NOMEM. */
ms_status ms_csv_read_table(ms_csv_table *table, const char *text, size_t len,
                            const char *source_name, unsigned wanted, unsigned required,
                            const ms_bars_options *opts);

/* Reads a whole file into a malloc'ed buffer (*text, *len; not
 * NUL-terminated). Errors: MS_ERR_IO naming the path and the reason,
 * MS_ERR_NOMEM. */
ms_status ms_csv_read_file(const char *path, char **text, size_t *len);

/* ---- Forecasts (forecasts.c, forecasts_csv.c) ---------------------------- */

/* Allocates n rows of forecasts named `source` (copied) for the caller to
 * fill with ms_forecasts_set. Errors: MS_ERR_INVALID_ARG (unknown units),
 * MS_ERR_NOMEM. */
ms_status ms_forecasts_alloc(ms_forecasts **out, size_t n, ms_forecast_units units,
                             const char *source);

/* Fills row i; `line` is its file line (0: not from a file). */
void ms_forecasts_set(ms_forecasts *forecasts, size_t i, int64_t timestamp, size_t line,
                      double close, double high, double low);

/* Every value finite. Errors: MS_ERR_DATA naming the line (or row) and field. */
ms_status ms_forecasts_check_values(const ms_forecasts *forecasts);

/* ---- Market draws (market_draws.c; the generator is core's ms_rng) ------- */

/* Student-t with `dof` (integer >= 3) degrees of freedom, scaled to unit
 * variance. */
double ms_draw_student_t(ms_rng *rng, int dof);
/* Poisson count with mean `rate` (small rates: Knuth's method). */
int ms_draw_poisson(ms_rng *rng, double rate);

/* ---- Synthetic market (synthetic.c) -------------------------------------- */

/* The most bars one synthetic series may have. */
#define MS_SYNTHETIC_MAX_BARS 1000000

/* Generates n (1 .. MS_SYNTHETIC_MAX_BARS) daily bars for `symbol`,
 * deterministically per (seed, symbol). Errors: MS_ERR_INVALID_ARG,
 * MS_ERR_NOMEM. */
ms_status ms_synthetic_bars(ms_bars **out, const char *symbol, uint64_t seed,
                            size_t n);

/* ---- Sources (source.c, csv_source.c) ------------------------------------ */

typedef enum ms_source_kind {
    MS_SOURCE_SYNTHETIC = 0,
    MS_SOURCE_CSV = 1,
    MS_SOURCE_CUSTOM = 2         /* loads through a callback (ms_source_open_custom) */
} ms_source_kind;

struct ms_source {
    ms_source_kind kind;
    char *uri;                   /* normalised; owned */
    const char *directory;       /* csv: points into uri, after "csv:" */
    uint64_t seed;               /* synthetic */
    size_t synthetic_bars;       /* synthetic */
    ms_bars_options bars_options;
    ms_source_load_fn custom_load;       /* custom */
    void (*custom_free)(void *context);  /* custom; may be NULL */
    void *custom_context;
};

/* The data layer's own schemes' openers (ms_source_scheme_open_fn), the
 * first entries of the scheme table. */
ms_status ms_source_open_synthetic_scheme(ms_source **out, const char *uri, const char *rest,
                                          const ms_source_options *opts);
ms_status ms_source_open_csv_scheme(ms_source **out, const char *uri, const char *rest,
                                    const ms_source_options *opts);

/* The opener of scheme `name` (len bytes, case-insensitive), or NULL when
 * none is registered (source_schemes.c). */
ms_source_scheme_open_fn ms_source_scheme_find(const char *name, size_t len);

/* Writes the registered schemes' shapes into `out` for messages:
 * "csv:DIR, synthetic[:seed=N][,bars=N] or alpaca[:TIMEFRAME]" (cut to size). */
void ms_source_schemes_describe(char *out, size_t size);

/* Loads `symbol` from a csv source's directory. Errors: MS_ERR_INVALID_ARG
 * (a symbol that could name a file outside the directory), MS_ERR_NOT_FOUND,
 * MS_ERR_IO, and those of ms_bars_load_csv. */
ms_status ms_csv_source_load(const ms_source *source, const char *symbol, ms_bars **out);

#endif

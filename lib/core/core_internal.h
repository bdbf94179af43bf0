/*
 * core_internal.h - the library-internal side of the core layer: recording
 * errors, logging, environment parsing, small string helpers, UTC dates,
 * the US stock market's calendar, sleeping, random numbers, growing arrays
 * and the thread pool. Every layer may include it;
 * nothing here is exported.
 */
#ifndef MS_CORE_INTERNAL_H
#define MS_CORE_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "marketsim/common.h"

#ifdef __cplusplus
extern "C" {
#endif

#define MS_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MS_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* Records a printf-style message as this thread's last error and returns
 * `status`, so failures read `return ms_error(MS_ERR_PARSE, "...", ...);`. */
ms_status ms_error(ms_status status, const char *fmt, ...) MS_PRINTF(2, 3);

/* Prefixes the current last error with "context: " (for example the symbol
 * or file being processed) and returns `status` unchanged. */
ms_status ms_error_wrap(ms_status status, const char *fmt, ...) MS_PRINTF(2, 3);

/* Logs a message at `level` when the level in force (ms_log_set_level)
 * allows it, to the sink of ms_log_set or stderr. */
void ms_log(ms_log_level level, const char *fmt, ...) MS_PRINTF(2, 3);

#define MS_DEBUG(...) ms_log(MS_LOG_DEBUG, __VA_ARGS__)
#define MS_INFO(...) ms_log(MS_LOG_INFO, __VA_ARGS__)
#define MS_WARN(...) ms_log(MS_LOG_WARN, __VA_ARGS__)

/* ---- Environment (env.c) ---------------------------------------------------- */

/* For the opt-in ms_*_from_env functions only: the library reads no
 * variable unless its caller asks (scripts/check-env). */

/* Reads an unsigned integer variable. Unset or empty: *out untouched, MS_OK.
 * Malformed or negative: MS_ERR_INVALID_ARG naming the variable. */
ms_status ms_env_size(const char *name, size_t *out);

/* Reads a boolean variable (1/0, true/false, yes/no, on/off). Unset or
 * empty: *out untouched, MS_OK. Anything else: MS_ERR_INVALID_ARG. */
ms_status ms_env_bool(const char *name, int *out);

/* Reads a finite number >= 0 (1e-3, 0.25). Unset or empty: *out untouched,
 * MS_OK. Anything else: MS_ERR_INVALID_ARG naming the variable. */
ms_status ms_env_double(const char *name, double *out);

/* Reads a text variable: set and not empty, *out becomes a copy that lives
 * as long as the process; otherwise *out is untouched. Errors:
 * MS_ERR_NOMEM. */
ms_status ms_env_text(const char *name, const char **out);

/* A copy of `text` that lives as long as the process, kept once however
 * often it is asked for; NULL when memory runs out. */
const char *ms_env_intern(const char *text);

/* ---- Strings -------------------------------------------------------------- */

/* A malloc'ed copy of s (NULL when s is NULL or memory runs out). */
char *ms_strdup(const char *s);

/* Case-insensitive ASCII equality. */
bool ms_str_ieq(const char *a, const char *b);

/* Parses a whole string as a finite or non-finite double; false when any
 * character is left over or nothing was read. Locale-independent. */
bool ms_parse_double(const char *s, size_t len, double *out);

/* Copies `len` bytes into `out` (NUL-terminated, cut to `capacity`, which
 * must be at least 1) for quoting in a message or a JSON document: printable
 * ASCII is kept, every other byte is written as \xNN. The copy is valid UTF-8
 * whatever the bytes were; 4 * len + 1 bytes always hold all of it. */
void ms_quote_bytes(char *out, size_t capacity, const char *bytes, size_t len);

/* Writes a text into a malloc'ed, NUL-terminated string: `write` prints
 * `subject` to a memory stream. On MS_OK *out is the text (the caller frees
 * it); otherwise *out is NULL and the status is write's error, or
 * MS_ERR_NOMEM naming `what` ("the HTML report") when memory runs out. */
typedef ms_status (*ms_text_writer)(FILE *f, const void *subject);
ms_status ms_write_to_string(const char *what, ms_text_writer write, const void *subject, char **out);

/* Writes `text` as lines of at most `width` columns, broken at spaces (a
 * word longer than a line is cut): the first after `indent` spaces, the
 * others after `hanging`. The text reports' 100-column layout. */
void ms_write_wrapped(FILE *f, const char *text, int indent, int hanging, int width);

/* ---- JSON text (json_text.c) --------------------------------------------- */

/* jansson's json_t, declared here so that including this header does not
 * pull jansson into every file. */
struct json_t;

/* A JSON string of `text` that never drops it: jansson refuses bytes that
 * are not UTF-8 (json_string returns NULL, and an object built with it
 * loses the key, or json_pack the whole object), so such a text is written
 * quoted by ms_quote_bytes instead. NULL text gives JSON null. NULL only
 * when memory runs out. For every outside string of a JSON document:
 * symbols, messages, paths, broker words. */
struct json_t *ms_json_text(const char *text);

/* ---- Growing arrays (reserve.c) ------------------------------------------ */

/* Makes room for `wanted` items of `item_size` bytes in a malloc'ed array:
 * `items` is the address of the array's pointer (a T **, NULL array and 0
 * capacity to start) and `capacity` its count of items. When `wanted` is
 * more than *capacity the array is realloc'ed to twice its capacity (at
 * least `wanted`, at least 16 items) and both are updated; otherwise nothing
 * changes. Records no message (the caller names what it was growing):
 * MS_ERR_NOMEM when memory runs out or the size overflows size_t,
 * MS_ERR_INVALID_ARG for a zero item_size; the array and capacity are then
 * untouched. */
ms_status ms_reserve(void *items, size_t *capacity, size_t wanted, size_t item_size);

/* ---- Growing options structs (options.c) ---------------------------------- */

/*
 * A public options struct's history: it starts with `int version`, fields
 * are only ever appended, and sizes[v - 1] is how many bytes version v's
 * struct holds (offsetof the first field version v + 1 added; the last entry
 * is sizeof the struct). `name` is the struct's name, for messages.
 */
typedef struct ms_options_layout {
    const char *name;
    const size_t *sizes;
    int current;               /* the newest version: the number of sizes */
} ms_options_layout;

/* MS_OK when 0 < version <= layout->current, else MS_ERR_INVALID_ARG naming
 * the struct and the versions this library knows. */
ms_status ms_options_version_check(const ms_options_layout *layout, int version);

/* An init function's body: writes version's part of `defaults` (a struct of
 * the newest version) into the caller's struct `dst`, with `version` in it;
 * never a byte beyond that version's size. */
ms_status ms_options_init(const ms_options_layout *layout, void *dst, const void *defaults,
                          int version);

/* Reads a caller's struct: `dst` (newest version) starts as a copy of
 * `defaults`; then the part of `src` its version has is copied over it, so
 * fields the caller's header did not know keep their defaults, and dst's
 * version becomes the newest. NULL src: the defaults alone. */
ms_status ms_options_import(const ms_options_layout *layout, void *dst, const void *defaults,
                            const void *src);

/*
 * A public options struct's versions, declared in one statement:
 *
 *   MS_OPTIONS_DECLARE(ms_broker_options, broker, MS_BROKER_OPTIONS,
 *                      offsetof(ms_broker_options, from_env), sizeof(ms_broker_options));
 *
 * defines, static to the file, broker_sizes (the sizes given, oldest
 * version first, the last sizeof the struct), broker_layout (named
 * "ms_broker_options") and broker_defaults (MS_BROKER_OPTIONS_INIT), asserts
 * at compile time that there is a size for each of MS_BROKER_OPTIONS_VERSION's
 * versions, and defines the public init function ms_broker_options_init on
 * ms_options_init. The version and defaults macros are found by pasting
 * onto the upper-case stem, as every options struct's header spells them.
 * MS_OPTIONS_LAYOUT is the same without the init function, for a struct
 * whose init writes an old version its own way (the analyzer's).
 */
#define MS_OPTIONS_LAYOUT(type, prefix, STEM, ...)                                             \
    MS_OPTIONS_DATA_(type, prefix, STEM, __VA_ARGS__)                                          \
    MS_OPTIONS_CHECK_(type, prefix, STEM)

#define MS_OPTIONS_DECLARE(type, prefix, STEM, ...)                                            \
    MS_OPTIONS_DATA_(type, prefix, STEM, __VA_ARGS__)                                          \
    MS_API ms_status type##_init(type *opts, int version)                                      \
    {                                                                                          \
        return ms_options_init(&prefix##_layout, opts, &prefix##_defaults, version);           \
    }                                                                                          \
    MS_OPTIONS_CHECK_(type, prefix, STEM)

/* The two macros' parts: the check comes last, so that either statement
 * ends with the caller's semicolon. */
#define MS_OPTIONS_DATA_(type, prefix, STEM, ...)                                              \
    static const size_t prefix##_sizes[] = { __VA_ARGS__ };                                    \
    static const ms_options_layout prefix##_layout = { #type, prefix##_sizes, STEM##_VERSION }; \
    static const type prefix##_defaults = STEM##_INIT;
#define MS_OPTIONS_CHECK_(type, prefix, STEM)                                                  \
    _Static_assert(MS_ARRAY_LEN(prefix##_sizes) == STEM##_VERSION, #type ": a size per version")

/* ---- Dates (dates.c) ------------------------------------------------------ */

#define MS_SECONDS_PER_DAY 86400

/* Days since 1970-01-01 of a proleptic Gregorian date (any year). */
int64_t ms_days_from_civil(int64_t year, int month, int day);

/* Day of the week of a day count from ms_days_from_civil: 0 = Sunday. */
int ms_weekday(int64_t days);

/* The inverse of ms_days_from_civil. */
void ms_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Writes a UTC time as "YYYY-MM-DD", or "YYYY-MM-DD HH:MM:SS" when it is
 * not midnight, for messages. */
#define MS_UTC_TIME_TEXT 32
void ms_format_utc_time(int64_t seconds, char text[MS_UTC_TIME_TEXT]);

/* Writes a UTC time as RFC 3339, "YYYY-MM-DDTHH:MM:SSZ", for APIs and files. */
void ms_format_rfc3339(int64_t seconds, char text[MS_UTC_TIME_TEXT]);

/* Parses YYYY-MM-DD, optionally followed by ' ' or 'T', HH:MM:SS, optional
 * fractional seconds (ignored) and an optional Z, +HH:MM or -HH:MM offset,
 * into UTC seconds. On failure returns false and sets *reason to a static
 * description of what is wrong. */
bool ms_parse_utc_time(const char *text, size_t len, int64_t *seconds,
                       const char **reason);

/* ---- The US stock market's calendar (market_calendar.c) ------------------ */

/* a / b rounded towards minus infinity (b > 0). */
int64_t ms_floor_div(int64_t a, int64_t b);

/* Seconds to add to UTC for US/Eastern at `utc`: -14400 (EDT) from the
 * second Sunday of March 07:00 UTC to the first Sunday of November 06:00
 * UTC (the 2007 rules), -18000 (EST) otherwise. */
int ms_eastern_offset(int64_t utc);

/* Whether a day (days since 1970-01-01) is an NYSE full-day holiday: New
 * Year's Day (a Sunday's on Monday; a Saturday's not observed), Martin
 * Luther King Jr. Day (from 1998), Washington's Birthday, Good Friday,
 * Memorial Day, Juneteenth (from 2022), Independence Day, Labor Day,
 * Thanksgiving, Christmas (fixed dates on a Saturday observed the Friday
 * before, on a Sunday the Monday after), and the unscheduled closures since
 * 2001. Early closes are full sessions. */
bool ms_nyse_holiday(int64_t day);

/* Whether the US stock market has a session on `day`: a weekday, not a holiday. */
bool ms_us_session_day(int64_t day);

/* The US/Eastern date (days since 1970-01-01) of the last session that is
 * complete or under way at `utc`: that day's session once it is 09:30
 * US/Eastern, else the one before, skipping weekends and holidays. */
int64_t ms_us_last_session(int64_t utc);

/* ---- Sleeping (clock.c) --------------------------------------------------- */

/* Sleeps for `seconds` (nothing when <= 0), resuming after signals. */
void ms_sleep_seconds(double seconds);

/* ---- Random numbers (random.c) -------------------------------------------- */

/* FNV-1a hashing, one byte at a time: start from MS_FNV1A_OFFSET. */
#define MS_FNV1A_OFFSET 0xcbf29ce484222325ULL
uint64_t ms_fnv1a_byte(uint64_t hash, unsigned char byte);

/* xoshiro256** with the spare value of the polar normal method. */
typedef struct ms_rng {
    uint64_t state[4];
    double spare_normal;
    bool has_spare;
} ms_rng;

/* The stream number `stream` of `seed`: seeding it depends on nothing else,
 * so a series' samples are the same whatever batch it is forecast in. */
void ms_rng_init(ms_rng *rng, uint64_t seed, uint64_t stream);
uint64_t ms_rng_next(ms_rng *rng);
/* Uniform on the open interval (0, 1): safe to take logs of. */
double ms_rng_uniform(ms_rng *rng);
double ms_rng_normal(ms_rng *rng);
/* Gamma(shape, 1) for shape > 0. */
double ms_rng_gamma(ms_rng *rng, double shape);

/* ---- Files (files.c, atomic_file.c) ---------------------------------------- */

/* mkdir -p for the directories above `path` (with `include_last`, `path`
 * itself too), created with `mode` where missing. Errors: MS_ERR_IO naming
 * the directory (a file in the way included), MS_ERR_NOMEM. */
ms_status ms_make_directories(const char *path, int include_last, unsigned mode);

/* A file written under a temporary name in the target's directory and
 * renamed over `path` on commit, so readers never see half a file. */
typedef struct ms_atomic_file {
    FILE *stream;
    char *path;
    char *temp_path;
} ms_atomic_file;

/* Creates the temporary file. Errors: MS_ERR_IO, MS_ERR_NOMEM. */
ms_status ms_atomic_file_open(ms_atomic_file *file, const char *path);
/* Appends bytes. Errors: MS_ERR_IO naming the path (the file stays open:
 * discard it). */
ms_status ms_atomic_file_write(ms_atomic_file *file, const void *bytes, size_t size);
/* Flushes, syncs and renames into place; on failure the temporary file is
 * removed. Releases the handle either way. Errors: MS_ERR_IO. */
ms_status ms_atomic_file_commit(ms_atomic_file *file);
/* Removes the temporary file and releases the handle. */
void ms_atomic_file_discard(ms_atomic_file *file);

/* fsync of a directory, so the entries just made in it survive a crash.
 * Errors: MS_ERR_IO naming it. */
ms_status ms_sync_directory(const char *dir);
/* ms_sync_directory of the directory holding `path`. Errors: MS_ERR_IO,
 * MS_ERR_NOMEM. */
ms_status ms_sync_parent_directory(const char *path);

/* A directory whose files are written under a staging directory next to
 * the target and renamed onto it on commit (atomic_dir.c): readers see all
 * of its files or none. The target must not exist or be empty. */
typedef struct ms_atomic_dir {
    char *path;                    /* the target, without trailing slashes */
    char *temp_path;               /* the staging directory */
} ms_atomic_dir;

/* Checks the target (missing or an empty directory), creates its parents
 * and the empty staging directory. Errors: MS_ERR_IO naming the target
 * (not a directory, not empty, cannot create), MS_ERR_NOMEM. */
ms_status ms_atomic_dir_open(ms_atomic_dir *dir, const char *path);
/* "<staging>/<name>", malloc'ed, where a file of the directory is written;
 * NULL when memory runs out. */
char *ms_atomic_dir_file(const ms_atomic_dir *dir, const char *name);
/* Syncs the staging directory and renames it onto the target; on failure
 * the staging directory is removed with its files. Releases the handle
 * either way. Errors: MS_ERR_IO (the target is no longer empty, ...). */
ms_status ms_atomic_dir_commit(ms_atomic_dir *dir);
/* Removes the staging directory with its files and releases the handle. */
void ms_atomic_dir_discard(ms_atomic_dir *dir);

/* ---- Thread pool ---------------------------------------------------------- */

/*
 * A fixed set of worker threads fed from a bounded queue. Submitting blocks
 * while the queue is full; ms_pool_wait blocks until every submitted task
 * has finished, after which the pool can be reused. Tasks must not submit to
 * or wait on their own pool.
 */
typedef struct ms_pool ms_pool;
typedef void (*ms_task_fn)(void *arg);

/* workers >= 1; queue_capacity 0 means 4 x workers. */
ms_status ms_pool_create(ms_pool **out, size_t workers, size_t queue_capacity);
ms_status ms_pool_submit(ms_pool *pool, ms_task_fn fn, void *arg);
void ms_pool_wait(ms_pool *pool);
size_t ms_pool_workers(const ms_pool *pool);
/* Waits for queued tasks to finish, stops the workers, frees. NULL-safe. */
void ms_pool_free(ms_pool *pool);

/* Online cores, at least 1. */
size_t ms_cpu_count(void);

#ifdef __cplusplus
}
#endif
#endif

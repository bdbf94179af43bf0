/*
 * marketsim/common.h - conventions shared by every layer of the public API:
 * export macro, version, status codes, error messages, memory and logging.
 *
 * Error convention (one for the whole library): every fallible function
 * returns an ms_status; MS_OK (0) is success and every error is negative.
 * After a failure, ms_last_error() describes what failed and where (file,
 * line, field, symbol) in a message owned by the library and local to the
 * calling thread.
 *
 * Memory: a function that hands memory to the caller says which function
 * frees it: ms_free for plain buffers (strings, arrays), ms_<type>_free for
 * handles. Pointers returned by accessors are borrowed from their owner and
 * live as long as it does.
 *
 * Environment: the library reads no environment variable unless its
 * caller asks, through the functions named for it: ms_log_level_from_env,
 * ms_model_options_from_env, ms_analyzer_options_from_env (each fills only
 * what the caller left unset, so explicit settings win) and
 * ms_cache_default_path (the XDG cache directory, when the default place is
 * asked for). The CLI and the Python bindings call them; a program that
 * does not sees the same behaviour whatever its environment holds. The
 * broker layer asks per options struct: ms_broker_options.from_env and
 * ms_source_options.from_env (Alpaca's keys, URLs and the state and cache
 * directories).
 *
 * Logging: warnings and errors go to stderr unless ms_log_set routes them
 * to the caller (as llama_log_set does); ms_log_set_level sets the level.
 *
 * Thread safety: every function of this header may be called from any
 * thread at any time; the last error is kept per thread.
 */
#ifndef MARKETSIM_COMMON_H
#define MARKETSIM_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(MS_BUILDING_LIBRARY)
#define MS_API __attribute__((visibility("default")))
#else
#define MS_API
#endif

#define MS_VERSION_MAJOR 0
#define MS_VERSION_MINOR 1
#define MS_VERSION_PATCH 0
#define MS_VERSION_STRING "0.1.0"

/* Status codes. Values are stable: bindings rely on them. */
typedef enum ms_status {
    MS_OK = 0,
    MS_ERR_INVALID_ARG = -1,  /* a NULL or out-of-range argument, a bad option */
    MS_ERR_NOMEM = -2,        /* an allocation failed */
    MS_ERR_IO = -3,           /* a file could not be opened, read or written */
    MS_ERR_PARSE = -4,        /* malformed text: CSV, JSON, dates, numbers */
    MS_ERR_DATA = -5,         /* well-formed but invalid values (NaN, high < low, ...) */
    MS_ERR_NOT_FOUND = -6,    /* no such symbol, file, model or order */
    MS_ERR_TOO_SHORT = -7,    /* not enough history for what was asked */
    MS_ERR_MODEL = -8,        /* a model failed to load or to run */
    MS_ERR_UNSUPPORTED = -9,  /* a valid request this build cannot serve */
    MS_ERR_HTTP = -10,        /* an HTTP request failed or returned an error status */
    MS_ERR_TIMEOUT = -11,     /* an operation ran past its deadline */
    MS_ERR_RATE_LIMIT = -12,  /* the remote service refused for rate limiting */
    MS_ERR_BROKER = -13,      /* the broker rejected a request */
    MS_ERR_INTERNAL = -14,    /* a broken invariant: a bug in marketsim */
    MS_ERR_CANCELLED = -15    /* stopped on request (ms_analyzer_cancel): no result */
} ms_status;

/* A short name for a status ("invalid argument", ...): a static string,
 * never NULL ("unknown status" for a value outside ms_status). */
MS_API const char *ms_status_str(ms_status status);

/*
 * The message describing the last error on the calling thread. The string is
 * owned by the library and stays valid until the next failing call on the
 * same thread. Empty ("") when no error has been recorded.
 */
MS_API const char *ms_last_error(void);

/* The library's version string, e.g. "0.1.0": a static string, to compare
 * with the MS_VERSION_STRING the caller was compiled against. */
MS_API const char *ms_version(void);

/* Frees memory the library handed to the caller and documented as freed
 * with ms_free (JSON and text strings, position and order arrays). Never
 * pass a handle: handles have their own ms_<type>_free. NULL-safe. */
MS_API void ms_free(void *ptr);

/* Log levels. The library logs warn and error lines by default; the level
 * and where lines go are the caller's choice (ms_log_set_level, ms_log_set),
 * never the environment's unless asked (ms_log_level_from_env). */
typedef enum ms_log_level {
    MS_LOG_DEBUG = 0,
    MS_LOG_INFO = 1,
    MS_LOG_WARN = 2,
    MS_LOG_ERROR = 3
} ms_log_level;

/* The level in force: lines below it are not formatted or delivered. */
MS_API ms_log_level ms_log_threshold(void);

/* Sets the level in force for the whole process (warn until set); a value
 * outside ms_log_level is ignored. */
MS_API void ms_log_set_level(ms_log_level level);

/*
 * Opt-in: sets the level from MARKETSIM_LOG (debug|info|warn|warning|error,
 * any case); unset or empty leaves it as it is. The only function of this
 * header that reads the environment.
 * Errors: MS_ERR_INVALID_ARG for any other value (the level becomes warn
 * and the message says so).
 */
MS_API ms_status ms_log_level_from_env(void);

/* Receives one log line: its level and the message without a prefix or a
 * newline (borrowed for the call). */
typedef void (*ms_log_fn)(ms_log_level level, const char *message, void *user_data);

/*
 * Routes the library's log lines at or above the level to `fn`, with
 * `user_data`, instead of stderr ("marketsim: LEVEL: message"); NULL
 * restores stderr. Process-wide and safe to call from any thread.
 *
 * `fn` is called from whichever thread logs: the caller's, and the worker
 * threads of an analysis or a forecast. Calls never overlap (one line at a
 * time, in the order logged) and none is running or will start once
 * ms_log_set returns, so the previous fn and its user_data may be freed
 * then. `fn` must not call back into the library (a line it logs goes to
 * stderr; ms_log_set from inside it deadlocks) and should return quickly:
 * the threads that log wait for it.
 */
MS_API void ms_log_set(ms_log_fn fn, void *user_data);

/* Seconds on a monotonic clock with an arbitrary origin: for measuring
 * durations only, never as a date. */
MS_API double ms_clock_seconds(void);

#ifdef __cplusplus
}
#endif
#endif

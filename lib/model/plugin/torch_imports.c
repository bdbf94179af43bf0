/*
 * torch_imports.c - the plugin's side of torch_plugin.h: its entry point,
 * which keeps the library's host table, and the library functions the
 * libtorch backends call, each defined here as a call through that table
 * (compiled into libmarketsim-torch.so only).
 */
#include <stdarg.h>
#include <stdio.h>

#include "model/plugin/torch_plugin.h"

/* Set once by the entry point, before the library calls anything else. */
static const ms_torch_host *host;

#define FORWARD_VALUE(type, name, parameters, arguments) \
    type name parameters { return host->name arguments; }
#define FORWARD_VOID(type, name, parameters, arguments) \
    type name parameters { host->name arguments; }
MS_TORCH_IMPORTS(FORWARD_VALUE)
MS_TORCH_VOID_IMPORTS(FORWARD_VOID)

/* The library records the message in its own thread-local error (the
 * caller's thread is the same). The buffers have status.c's sizes: a
 * message is cut where the library would cut it. */
ms_status ms_error(ms_status status, const char *fmt, ...)
{
    char message[1024];
    va_list args;
    va_start(args, fmt);
    vsnprintf(message, sizeof message, fmt, args);
    va_end(args);
    return host->error(status, message);
}

ms_status ms_error_wrap(ms_status status, const char *fmt, ...)
{
    char context[256];
    va_list args;
    va_start(args, fmt);
    vsnprintf(context, sizeof context, fmt, args);
    va_end(args);
    return host->error_wrap(status, context);
}

static const ms_torch_plugin plugin = {
    .abi = MS_TORCH_PLUGIN_ABI,
    .size = sizeof(ms_torch_plugin),
    .version = MS_VERSION_STRING,
    .toto_open = ms_toto_open,
    .kronos_open = ms_kronos_open,
    .kronos_free = ms_kronos_free,
    .kronos_generate = ms_kronos_generate,
    .kronos_set_threads = ms_kronos_set_threads,
};

__attribute__((visibility("default"))) const ms_torch_plugin *
ms_torch_plugin_entry(const ms_torch_host *library)
{
    host = library;
    return &plugin;
}

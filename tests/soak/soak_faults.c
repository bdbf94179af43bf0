/*
 * soak_faults.c - the soak's random source and its fault mix: which faults
 * of tests/servers/fake_alpaca.py go on which endpoint of the trade cycle.
 */
#include <stdio.h>

#include "soak/soak.h"

uint64_t soak_rng_next(soak_rng *rng)
{
    uint64_t z = (rng->state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

size_t soak_rng_below(soak_rng *rng, size_t bound)
{
    return bound == 0 ? 0 : (size_t)(soak_rng_next(rng) % bound);
}

const char *soak_fault_label(soak_fault_kind kind)
{
    static const char *const labels[SOAK_FAULT_KINDS] = {
        "429", "500", "500-processed", "500-burst", "delay", "reset", "reset-processed", "drop",
        "short_body", "truncated_json", "malformed",
    };
    return labels[kind];
}

const char *const soak_fault_methods[SOAK_METHODS] = { "GET", "POST", "DELETE" };

typedef struct endpoint {
    const char *method;
    const char *path;         /* a prefix, as the server matches it */
} endpoint;

/* Every request a cycle makes: its reads, the lookups by client_order_id
 * (also matched by the "/v2/orders" prefix), the order posts and cancels.
 * The post is listed three times: a fault there is the one that could
 * duplicate or lose an order, so it gets a third of the faults. */
static const endpoint endpoints[] = {
    { "GET", "/v2/clock" },
    { "GET", "/v2/account" },
    { "GET", "/v2/positions" },
    { "GET", "/v2/orders" },
    { "GET", "/v2/orders:by_client_order_id" },
    { "POST", "/v2/orders" },
    { "POST", "/v2/orders" },
    { "POST", "/v2/orders" },
    { "DELETE", "/v2/orders/" },
};

#define ENDPOINTS (sizeof endpoints / sizeof endpoints[0])
#define GET_ENDPOINTS 5
#define DELETE_ENDPOINT (ENDPOINTS - 1)

/* A cancel's answer has no body to cut or mangle, and only GETs are
 * retried, so a burst (more errors than retries) is a GET's. */
static size_t pick_endpoint(soak_rng *rng, soak_fault_kind kind)
{
    bool body_fault = kind == SOAK_DROP || kind == SOAK_SHORT_BODY ||
                      kind == SOAK_TRUNCATED_JSON || kind == SOAK_MALFORMED;
    if (kind == SOAK_ERROR_BURST)
        return soak_rng_below(rng, GET_ENDPOINTS);
    if (body_fault)
        return soak_rng_below(rng, DELETE_ENDPOINT);
    return soak_rng_below(rng, ENDPOINTS);
}

/* The server's fault object for `kind` (without its endpoint). */
static json_t *fault_object(soak_fault_kind kind, double timeout)
{
    switch (kind) {
    case SOAK_RATE_LIMIT:
        return json_pack("{s:s, s:i, s:i}", "kind", "status", "status", 429, "reset_in", 1);
    case SOAK_SERVER_ERROR:
        return json_pack("{s:s, s:i}", "kind", "status", "status", 500);
    case SOAK_PROCESSED_ERROR:
        return json_pack("{s:s, s:i, s:b}", "kind", "status", "status", 500, "process", 1);
    case SOAK_ERROR_BURST:
        /* fake_alpaca_options allows two retries: the third error is final. */
        return json_pack("{s:s, s:i, s:i}", "kind", "status", "status", 500, "count", 3);
    case SOAK_DELAY:
        return json_pack("{s:s, s:f}", "kind", "delay", "seconds", 3 * timeout);
    case SOAK_RESET:
        return json_pack("{s:s}", "kind", "reset");
    case SOAK_PROCESSED_RESET:
        return json_pack("{s:s, s:b}", "kind", "reset", "process", 1);
    case SOAK_DROP:
        return json_pack("{s:s}", "kind", "drop");
    case SOAK_SHORT_BODY:
        return json_pack("{s:s}", "kind", "short_body");
    case SOAK_TRUNCATED_JSON:
        return json_pack("{s:s}", "kind", "truncated_json");
    case SOAK_MALFORMED:
    default:
        return json_pack("{s:s}", "kind", "malformed");
    }
}

json_t *soak_fault_mix(soak_rng *rng, size_t most, double timeout, size_t queued[SOAK_FAULT_KINDS])
{
    json_t *faults = json_array();
    size_t count = soak_rng_below(rng, most + 1);
    for (size_t i = 0; i < count; i++) {
        soak_fault_kind kind = (soak_fault_kind)soak_rng_below(rng, SOAK_FAULT_KINDS);
        const endpoint *target = &endpoints[pick_endpoint(rng, kind)];
        json_t *fault = fault_object(kind, timeout);
        json_object_set_new(fault, "method", json_string(target->method));
        json_object_set_new(fault, "path", json_string(target->path));
        char label[64];
        snprintf(label, sizeof label, "%s %s", soak_fault_label(kind), target->method);
        json_object_set_new(fault, "label", json_string(label));
        json_array_append_new(faults, fault);
        queued[kind]++;
    }
    return faults;
}

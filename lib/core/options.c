/*
 * options.c - how the public options structs grow without breaking their
 * callers: a caller built against an older header passes a shorter struct
 * with an older version, and the library reads only the part that version
 * has; the fields it lacks take their defaults. A version newer than the
 * library's is refused, because the library cannot know what its fields
 * mean. docs/architecture.md, "How the API grows".
 */
#include <string.h>

#include "core_internal.h"

ms_status ms_options_version_check(const ms_options_layout *layout, int version)
{
    if (version > 0 && version <= layout->current)
        return MS_OK;
    return ms_error(MS_ERR_INVALID_ARG, "%s version %d: this library knows versions 1 to %d%s",
                    layout->name, version, layout->current,
                    version > layout->current ? " (the caller was built against a newer header)"
                                              : " (set it with the init function)");
}

ms_status ms_options_init(const ms_options_layout *layout, void *dst, const void *defaults,
                          int version)
{
    if (dst == NULL)
        return ms_error(MS_ERR_INVALID_ARG, "%s init: NULL options", layout->name);
    ms_status status = ms_options_version_check(layout, version);
    if (status != MS_OK)
        return status;
    memcpy(dst, defaults, layout->sizes[version - 1]);
    memcpy(dst, &version, sizeof version);
    return MS_OK;
}

ms_status ms_options_import(const ms_options_layout *layout, void *dst, const void *defaults,
                            const void *src)
{
    memcpy(dst, defaults, layout->sizes[layout->current - 1]);
    if (src == NULL)
        return MS_OK;
    int version;
    memcpy(&version, src, sizeof version);
    ms_status status = ms_options_version_check(layout, version);
    if (status != MS_OK)
        return status;
    memcpy(dst, src, layout->sizes[version - 1]);
    memcpy(dst, &layout->current, sizeof layout->current);
    return MS_OK;
}

/*
 * torch_guard.h - the C/C++ boundary every libtorch model backend (Toto,
 * Kronos) puts around its entry points: C callers get an ms_status and
 * ms_last_error(), never an exception.
 */
#ifndef MS_TORCH_GUARD_H
#define MS_TORCH_GUARD_H

#include <c10/util/Exception.h>

#include <exception>
#include <new>

#include "core/core_internal.h"

namespace ms_torch {

/* Runs `body` (which returns an ms_status) and turns every exception into
 * an error recorded with ms_error, `context` first in its message. */
template <typename Body>
ms_status guard(const char *context, Body &&body) noexcept
{
    try {
        return body();
    } catch (const c10::Error &e) {
        return ms_error(MS_ERR_MODEL, "%s: libtorch: %s", context, e.what_without_backtrace());
    } catch (const std::bad_alloc &) {
        return ms_error(MS_ERR_NOMEM, "%s: out of memory", context);
    } catch (const std::exception &e) {
        return ms_error(MS_ERR_MODEL, "%s: %s", context, e.what());
    } catch (...) {
        return ms_error(MS_ERR_MODEL, "%s: unknown C++ exception", context);
    }
}

}  // namespace ms_torch

#endif

/*
 * torch_compat.h - the one place where the libtorch versions marketsim
 * builds against differ: Debian's CPU-only 1.13 (the default build) and a
 * PyTorch install's 2.x with CUDA (`make TORCH=DIR`, scripts/gpu-check).
 * The port and its benchmark use the API both versions share; whatever
 * needs a version or a device-specific call goes here, never into an
 * #ifdef in the sources.
 */
#ifndef MS_TORCH_COMPAT_H
#define MS_TORCH_COMPAT_H

#include <ATen/ATen.h>

/* The same path in Debian's /usr/include and in a PyTorch install's
 * include/ (which also has it as <torch/version.h>). */
#include <torch/csrc/api/include/torch/version.h>

static_assert(TORCH_VERSION_MAJOR < 2 || __cplusplus >= 201703L,
              "libtorch 2.x needs C++17 or later: build with CXX_STD=c++17 (or c++20)");

namespace toto {
namespace compat {

/* The libtorch the build was compiled against: "1.13.0", "2.11.0". */
inline const char *libtorch_version()
{
    return TORCH_VERSION;
}

/* Waits until the work queued on `tensor`'s device has finished, so a host
 * clock times it. Reading one value back orders after that work on both
 * versions and needs no CUDA header, which the CPU-only 1.13 lacks (2.x's
 * at::accelerator API does not exist there). A CPU tensor is ready already. */
inline void synchronize(const at::Tensor &tensor)
{
    if (tensor.is_cuda())
        (void)tensor.reshape(-1)[0].item();
}

}  // namespace compat
}  // namespace toto

#endif

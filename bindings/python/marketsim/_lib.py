"""Finding and loading libmarketsim.

Order: $MARKETSIM_LIB (an explicit path wins), then the build tree next to
this package in a source checkout (bindings/python/marketsim ->
build/lib/libmarketsim.so), then the library of the prefix the package was
installed into by `make install` (PREFIX/lib/python3.X/dist-packages/marketsim
-> PREFIX/lib/libmarketsim.so.0, so a private prefix needs no
LD_LIBRARY_PATH), then the system loader. The library's major
version must equal the one these bindings were written against: a
different major version may have changed struct layouts, and a mismatch
would corrupt memory instead of failing.
"""
import ctypes
import ctypes.util
import os

EXPECTED_MAJOR = 0

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))
_SOURCE_TREE_LIBRARY = os.path.join(_PACKAGE_DIR, "..", "..", "..", "build", "lib",
                                    "libmarketsim.so")
_INSTALLED_LIBRARY = os.path.join(_PACKAGE_DIR, "..", "..", "..", "libmarketsim.so.0")


def _candidates():
    explicit = os.environ.get("MARKETSIM_LIB")
    if explicit:
        return [explicit]
    found = [os.path.normpath(path) for path in (_SOURCE_TREE_LIBRARY, _INSTALLED_LIBRARY)
             if os.path.exists(path)]
    system = ctypes.util.find_library("marketsim")
    found.append(system if system else "libmarketsim.so.0")
    return found


def load():
    """Loads the library, raising OSError naming every path tried, or
    ImportError when its major version is not EXPECTED_MAJOR."""
    tried = []
    for path in _candidates():
        try:
            library = ctypes.CDLL(path)
        except OSError as failure:
            tried.append("%s (%s)" % (path, failure))
            continue
        _check_version(library, path)
        return library
    raise OSError("libmarketsim not found; tried: " + "; ".join(tried)
                  + ". Set MARKETSIM_LIB to the library's path.")


def _check_version(library, path):
    library.ms_version.restype = ctypes.c_char_p
    library.ms_version.argtypes = []
    version = library.ms_version().decode()
    major = int(version.split(".")[0])
    if major != EXPECTED_MAJOR:
        raise ImportError("%s is libmarketsim %s; these bindings need major version %d"
                          % (path, version, EXPECTED_MAJOR))

"""On-disk result cache for expensive calculations, built on joblib.Memory.

A cached result is keyed by every argument of the call (joblib hashes them), by the package
version and by the package source: the cache lives in
``cache_root() / f"{__version__}-{source_hash()}"``, so editing any ``committee_lib/*.py`` file
starts a fresh directory and a stale result is never returned.

Writes are atomic: joblib's ``StoreBackendMixin._concurrency_safe_write`` (joblib/_store_backends.py)
pickles each result into a uniquely named temporary file beside its target and then moves it
into place with ``concurrency_safe_rename`` (``os.replace``), so an interrupted run leaves no
half-written result that a later run would load.

Usage::

    from committee_lib.cache import cached

    @cached
    def capacity_curve(kernel_name, quad_order): ...

``cached`` fixes the folder when it is applied (normally at import), so set ``COMMITTEE_CACHE``
before importing; the book's notebook driver sets it to ``<repo>/_cache`` for its kernels.
"""

import hashlib
import os
from pathlib import Path

import joblib

from . import __version__

_PACKAGE_DIR = Path(__file__).resolve().parent


def cache_root():
    """Folder holding all cached results: $COMMITTEE_CACHE, default ~/.cache/committee_lib."""
    return Path(os.environ.get("COMMITTEE_CACHE", Path.home() / ".cache" / "committee_lib"))


def source_hash():
    """First 12 hex digits of the sha256 over the names and bytes of committee_lib/*.py, sorted."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE_DIR.glob("*.py")):
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def memory():
    """joblib.Memory for this package version and source."""
    return joblib.Memory(cache_root() / f"{__version__}-{source_hash()}", verbose=0)


def cached(func):
    """Cache func's results on disk, keyed by its arguments, the version and the source."""
    return memory().cache(func)

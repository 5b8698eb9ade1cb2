"""On-disk result cache for expensive calculations, built on joblib.Memory.

A cached result is keyed by every argument of the call (joblib hashes them), by the package
version and by the code it runs: the cache lives in
``cache_root() / f"{__version__}-{hash}"`` where ``hash`` covers the module defining the function
and every ``committee_lib`` module it imports, directly or not (``module_closure``; modules are
named relative to the package, ``theory.rs``, ``simulation.annealing``, ``cache``).  Editing the
code of any of them starts a fresh directory, so a stale result is never returned; editing an
unrelated module (a new chapter's code) keeps the results, so the hours of annealing behind the
simulation chapters are not thrown away by a change elsewhere.  The hash is over the syntax tree
with docstrings removed (``code_hash``): comments and docstrings do not change results.  A
function defined outside the package is keyed by the whole package (``source_hash``).

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

Hits and misses.  A ``cached`` function counts, per process, how many calls it answered from the
cache (hits) and how many it computed (misses): ``counts()``.  When ``COMMITTEE_CACHE_STATS``
names a file, every call also appends one line ``{"function": ..., "hit": true|false}`` to it
(appends of one short line are atomic, so several processes may share the file); the build
driver gives each notebook such a file and puts the totals in its build report.
"""

import ast
import functools
import hashlib
import json
import os
from collections import Counter
from functools import cache
from pathlib import Path

import joblib

from . import __version__

_PACKAGE_DIR = Path(__file__).resolve().parent
_PACKAGE = _PACKAGE_DIR.name


def cache_root():
    """Folder holding all cached results: $COMMITTEE_CACHE, default ~/.cache/committee_lib."""
    return Path(os.environ.get("COMMITTEE_CACHE", Path.home() / ".cache" / "committee_lib"))


def _code(path):
    """ast.dump of a module with every docstring removed (comments are not in the tree)."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                node.body = body[1:] or [ast.Pass()]
    return ast.dump(tree)


def module_path(name):
    """File of package module `name`: 'cache', 'theory.rs', a subpackage 'theory' (its __init__.py), '__init__'."""
    base = _PACKAGE_DIR.joinpath(*name.split("."))
    return base / "__init__.py" if base.is_dir() else base.with_suffix(".py")


def module_names():
    """Every module of the package by its name relative to the package ('theory.rs'), sorted."""
    names = set()
    for path in _PACKAGE_DIR.rglob("*.py"):
        parts = path.relative_to(_PACKAGE_DIR).with_suffix("").parts
        if len(parts) > 1 and parts[-1] == "__init__":
            parts = parts[:-1]
        names.add(".".join(parts))
    return sorted(names)


def code_hash(names):
    """First 12 hex digits of the sha256 over the names and docstring-free code of these modules."""
    digest = hashlib.sha256()
    for name in sorted(names):
        digest.update(name.encode())
        digest.update(_code(module_path(name)).encode())
    return digest.hexdigest()[:12]


def _with_parents(name):
    """`name` and the subpackages containing it ('theory.rs' -> 'theory.rs', 'theory')."""
    parts = name.split(".")
    return {".".join(parts[:i]) for i in range(1, len(parts) + 1)}


def _imports(name):
    """Package modules imported anywhere in module `name` (relative or absolute), with their subpackages."""
    path = module_path(name)
    here = [] if name == "__init__" else name.split(".")
    package = here if path.name == "__init__.py" else here[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            parts = [p for p in (node.module or "").split(".") if p]
            if node.level:
                base = package[:len(package) - (node.level - 1)] + parts
            elif parts[:1] == [_PACKAGE]:
                base = parts[1:]
            else:
                continue
            if base:
                found.add(".".join(base))
            found.update(".".join(base + [alias.name]) for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(a.name.partition(".")[2] for a in node.names if a.name.startswith(_PACKAGE + "."))
    known = set(module_names())
    return {parent for m in found if m in known for parent in _with_parents(m)}


@cache
def module_closure(name):
    """Module `name` of committee_lib and every package module it imports, transitively (sorted)."""
    seen, todo = set(), [*_with_parents(name), "__init__"]
    while todo:
        m = todo.pop()
        if m not in seen:
            seen.add(m)
            todo.extend(_imports(m))
    return tuple(sorted(seen))


def source_hash():
    """code_hash of the whole package (every committee_lib module, subpackages included)."""
    return code_hash(module_names())


def memory(module=None):
    """joblib.Memory for this version and the code of `module`'s closure (None: the whole package)."""
    key = source_hash() if module is None else code_hash(module_closure(module))
    return joblib.Memory(cache_root() / f"{__version__}-{key}", verbose=0)


STATS_ENV = "COMMITTEE_CACHE_STATS"
_COUNTS = Counter()


def counts():
    """{"hits": n, "misses": n} of the cached calls made in this process so far."""
    return {"hits": _COUNTS["hits"], "misses": _COUNTS["misses"]}


def record(function, hit):
    """Count one cached call (hit: answered from the cache) here and in $COMMITTEE_CACHE_STATS."""
    _COUNTS["hits" if hit else "misses"] += 1
    path = os.environ.get(STATS_ENV)
    if path:
        with open(path, "a") as f:
            f.write(json.dumps({"function": function, "hit": bool(hit)}) + "\n")


class Cached:
    """A joblib MemorizedFunc that counts its hits and misses (``record``).

    ``memorized`` is the joblib object itself (picklable, for worker processes: what it computes
    there is stored but not counted, so the caller counts it, see samples.anneal_many);
    ``in_cache(*args)`` tells whether a call would be a hit; other attributes are joblib's.
    """

    def __init__(self, func, memorized):
        functools.update_wrapper(self, func)
        self.memorized = memorized
        self.name = f"{func.__module__}.{func.__qualname__}"

    def __call__(self, *args, **kwargs):
        record(self.name, self.memorized.check_call_in_cache(*args, **kwargs))
        return self.memorized(*args, **kwargs)

    def in_cache(self, *args, **kwargs):
        return self.memorized.check_call_in_cache(*args, **kwargs)

    def __getattr__(self, name):
        if name == "memorized":  # not yet set (unpickling): no recursion
            raise AttributeError(name)
        return getattr(self.memorized, name)


def cached(func):
    """Cache func's results on disk, keyed by its arguments, the version and the code it runs."""
    package, _, module = func.__module__.partition(".")
    return Cached(func, memory(module if package == _PACKAGE and module else None).cache(func))

"""Progress of long computations, for a person at a terminal and for the build driver.

Inside a papermill-executed notebook the kernel's stderr (a tqdm bar) does not reach the
terminal.  So `Progress` also appends one JSON line per update to the file named by
``$COMMITTEE_PROGRESS`` (the build driver, notebooks/run.py, sets it per notebook and prints the
lines it finds):

    {"label": "anneals", "done": 7, "total": 90, "elapsed": 312.4, "eta": 640.0, "cached": 2}

``done`` counts finished tasks, cached ones included (``cached`` of them came from the result
cache); ``eta`` is the estimated time left in seconds (None until a computed task has finished),
elapsed time times (cost left) / (cost done), with the cost of a task given by the caller (for
anneals: the proposals of its ramp), so long and short tasks mixed in one batch are weighed
correctly.
"""

import json
import os
import time

from tqdm.auto import tqdm

PROGRESS_ENV = "COMMITTEE_PROGRESS"


def format_seconds(seconds):
    """'42 s', '3 min 05 s', '1 h 02 min' (None: 'unknown')."""
    if seconds is None:
        return "unknown"
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    if seconds < 3600:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"


def describe(line):
    """One human line for a progress record (a dict as written by Progress)."""
    text = f"{line['label']}: {line['done']}/{line['total']} done"
    if line.get("cached"):
        text += f" ({line['cached']} from the cache)"
    text += f", {format_seconds(line['elapsed'])} elapsed"
    if line["done"] < line["total"]:
        eta = line.get("eta")
        text += ", time left: estimated when the first one finishes" if eta is None else \
            f", about {format_seconds(eta)} left"
    return text


class Progress:
    """Progress over `total` tasks of given costs: a tqdm bar (if `bar`) and $COMMITTEE_PROGRESS lines."""

    def __init__(self, label, costs, bar=True, clock=time.monotonic, unit="anneal"):
        self.label, self.costs, self.clock = label, list(costs), clock
        self.total = len(self.costs)
        self.start = clock()
        self.done = self.cached = 0
        self.cost_done = self.cost_cached = 0.0
        self.path = os.environ.get(PROGRESS_ENV)
        self.bar = tqdm(total=self.total, unit=unit, desc=label, disable=not bar)

    def update(self, index, cached=False):
        """Task `index` (into costs) has finished (cached: it came from the cache, no time spent)."""
        self.done += 1
        if cached:
            self.cached += 1
            self.cost_cached += self.costs[index]
        else:
            self.cost_done += self.costs[index]
        self.bar.update()
        self.write()

    def eta(self):
        left = sum(self.costs) - self.cost_done - self.cost_cached
        if left <= 0:
            return 0.0
        if self.cost_done <= 0:
            return None
        return (self.clock() - self.start) * left / self.cost_done

    def record(self):
        return {"label": self.label, "done": self.done, "total": self.total,
                "elapsed": round(self.clock() - self.start, 1), "eta": self.eta(), "cached": self.cached}

    def write(self):
        if self.path:
            with open(self.path, "a") as f:
                f.write(json.dumps(self.record()) + "\n")

    def close(self):
        self.bar.close()

    def __enter__(self):
        self.write()  # 0 of total: the driver learns the size of the batch at once
        return self

    def __exit__(self, *exc):
        self.close()

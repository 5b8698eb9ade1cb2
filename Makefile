# make book [PROFILE=paper|quick] [SET="nb.param=value ..."] [ONLY="nb ..."]
# make pdf [PROFILE=...]   the book as one PDF, _build/<profile>/book.pdf (builds the book first)
# make test | lab | clean | clean-results | bench      (see README.md)

PROFILE ?= paper
SET ?=
ONLY ?=

VENV := .venv
PYTHON := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: book pdf test lab clean clean-results bench

book: $(INSTALLED)
	$(PYTHON) notebooks/run.py --profile $(PROFILE) $(foreach s,$(SET),--set '$(s)') $(foreach n,$(ONLY),--only $(n))

# The book as one PDF: the book is brought up to date first (up-to-date notebooks are skipped),
# then printed by Debian's chromium.
pdf: book /usr/bin/chromium
	$(PYTHON) notebooks/pdf.py --profile $(PROFILE)

test: $(INSTALLED) /usr/bin/chromium
	$(PYTHON) -m pytest

# JupyterLab on the notebooks, sharing the book's result cache (the cached anneals are reused).
# The notebooks are MyST Markdown files (jupytext); .jupyter/lab/settings/overrides.json makes
# "Jupytext Notebook" the default viewer of .md files, so a double click opens them as notebooks.
# JupyterLab refuses to run as root unless told to (the project's machines run as root).
lab: $(INSTALLED)
	COMMITTEE_CACHE=$(CURDIR)/_cache $(VENV)/bin/jupyter lab --LabApp.app_settings_dir=$(CURDIR)/.jupyter/lab/settings \
		$(if $(filter 0,$(shell id -u)),--allow-root) notebooks/

bench: $(INSTALLED)
	@if [ -f benchmarks/run_all.py ]; then $(PYTHON) benchmarks/run_all.py; else echo "no benchmarks/run_all.py yet"; fi

# (Re)install only when pyproject.toml changes.
$(INSTALLED): pyproject.toml
	[ -x $(PYTHON) ] || python3 -m venv $(VENV)
	$(PYTHON) -m pip install --disable-pip-version-check -e '.[book,test]'
	touch $@

# The rendered-book and PDF tests and make pdf drive Debian's chromium; install it when we are root.
/usr/bin/chromium:
	@[ "$$(id -u)" = 0 ] || { echo "make $(MAKECMDGOALS) needs Debian chromium: run 'sudo apt-get install -y chromium' first" >&2; exit 1; }
	apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium

# numba does not invalidate a cached function when a helper it calls from another file
# changes, so its caches (*.nbi, *.nbc in __pycache__) go with the build.
clean:
	rm -rf _build _cache/numba
	find . -path '*committee_lib*/__pycache__/*' \( -name '*.nbi' -o -name '*.nbc' \) -print -delete

clean-results: clean
	rm -rf _cache

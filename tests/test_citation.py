"""CITATION.cff: valid Citation File Format 1.2.0 (the schema vendored by check-jsonschema, offline)
and the version of the package."""

import subprocess
import sys
from pathlib import Path

import yaml

import committee_lib

CFF = Path(__file__).resolve().parents[1] / "CITATION.cff"


def validate(path):
    return subprocess.run([sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.citation-file-format",
                           str(path)], capture_output=True, text=True, timeout=120)


def test_citation_file_is_valid_cff_1_2_0():
    proc = validate(CFF)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert yaml.safe_load(CFF.read_text())["cff-version"] == "1.2.0"


def test_schema_check_rejects_a_bad_reference(tmp_path):
    """The check is the schema's, not a YAML parse: an unknown reference type fails it."""
    bad = tmp_path / "CITATION.cff"
    bad.write_text(CFF.read_text().replace("  type: article\n", "  type: paper\n"))
    proc = validate(bad)
    assert proc.returncode == 1 and "preferred-citation" in proc.stdout, proc.stdout + proc.stderr


def test_citation_version_is_the_package_version():
    assert yaml.safe_load(CFF.read_text())["version"] == committee_lib.__version__

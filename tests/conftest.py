"""Fixtures shared by the test files."""

import pytest

from committee_lib.cli import main


@pytest.fixture
def run_cli(capsys):
    """Run `committee ARGV` in-process: returns (exit status, stdout, stderr)."""

    def run(argv):
        try:
            status = main(argv)
        except SystemExit as exc:
            status = exc.code
        out, err = capsys.readouterr()
        return status, out, err

    return run

"""The README runs as written: the Python API doctest, the benchmark tables as measured."""

from __future__ import annotations

import doctest
import re
import warnings
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_the_python_api_section_runs_as_written() -> None:
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- python-api -->\n```python\n(.*?)```\n<!-- /python-api -->", text, re.S)
    assert found, "README: the Python API section is missing its markers"
    parser = doctest.DocTestParser()
    test = parser.get_doctest(found.group(1), {}, "README Python API", str(README), 0)
    assert test.examples, "no examples in the README's Python API section"
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the demo's planner notes are not what is tested here
        runner.run(test)
    failed, attempted = runner.summarize(verbose=False)
    assert attempted == len(test.examples) and failed == 0


def test_the_benchmark_tables_are_the_scripts_output() -> None:
    """README's benchmark block is benchmarks/results.md as the scripts wrote it, untouched."""
    text = README.read_text(encoding="utf-8")
    found = re.search(r"<!-- benchmarks -->\n(.*?)\n<!-- /benchmarks -->", text, re.S)
    assert found, "README: the benchmark block is missing its markers"
    results = (README.parent / "benchmarks" / "results.md").read_text(encoding="utf-8")
    lines = results.splitlines()[1:]  # without "# Benchmarks"
    expected = "\n".join("#" + line if line.startswith("## ") else line for line in lines)
    assert found.group(1) == expected.strip("\n"), (
        "README's benchmark tables differ from benchmarks/results.md: run "
        "`python benchmarks/_results.py` (never edit either by hand)"
    )

"""The README's Python API section runs as written (a doctest)."""

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

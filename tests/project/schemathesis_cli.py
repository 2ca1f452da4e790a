"""The schemathesis command line, as ``tests/project/test_api_fuzz.py`` runs it.

One difference from the plain ``st`` script: Python 3.11.7 (this machine's) has a bug in ``ast.parse``
(CPython gh-106905, fixed in 3.11.8): called deep in the stack on a large module it may raise
``SystemError: AST constructor recursion depth mismatch``. Hypothesis calls it only to describe a
lambda in a strategy's repr, which it builds eagerly while validating recursive strategies (the
invalid JSON bodies); a failed description then aborts that operation's run. A description is text
for messages, so here a failed one reads "lambda" instead. Nothing that is sent or checked changes.
"""

import sys

from hypothesis.internal import lambda_sources

_describe = lambda_sources.lambda_description


def _describe_or_placeholder(f) -> str:
    try:
        return _describe(f)
    except SystemError:
        return "lambda"


lambda_sources.lambda_description = _describe_or_placeholder

if __name__ == "__main__":
    from schemathesis.cli import schemathesis

    sys.exit(schemathesis())

"""Benchmarks of caredove-agent against the sandbox: ratios within one run, never timed assertions.

Run with ``./dev bench`` (or ``.venv/bin/python -m bench``); see ``bench/__main__.py`` for the options.
"""

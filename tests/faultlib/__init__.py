"""Fault harness shared by tests/test_faults.py, tests/test_fuzz.py and bench/faults.py.

Faults are injected from the outside: real `hoso` subprocesses, real SIGKILLs, a real S3
server stopped and started, real PostgreSQL backends terminated, and (where only a wrapper
can do it) a small hook module the subprocess imports before the CLI (`faultlib.hook`).
"""

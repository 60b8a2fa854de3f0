"""Data shapes only: tables, enums, plain results and the settings object.

This package imports nothing else of the project.
"""

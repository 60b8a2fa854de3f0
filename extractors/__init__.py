"""Pure functions: file bytes and page images in, pages, words, text and document facts out.

No database, no object store, no Prefect: only `schemas` is imported from the project.
"""

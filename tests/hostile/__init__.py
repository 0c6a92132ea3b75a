"""Hostile input files, built by code (tests/hostile/build.py): no binary blobs in the repository."""

"""Running reports: one from the command line (``single``), many at once (``run``) with
their plan (``plan``), forked workers that notice a dead one (``workers``) and flat
memory (``memory``).
"""

"""``python -m kommunerapport``."""

from kommunerapport.cli import run

run()

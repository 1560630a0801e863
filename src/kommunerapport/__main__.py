"""``python -m kommunerapport``."""

from kommunerapport.cli import main

main()

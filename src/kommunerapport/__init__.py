"""kommunerapport: Norwegian municipal accounts as press-release PDF reports."""

__version__ = "0.3.0"

"""Steward: the headless core of an offline customer-data stewardship tool.

Nothing in this package imports Qt; the desktop shell in ``ui`` calls it.
"""

__version__ = "0.1.0"

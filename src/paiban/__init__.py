"""paiban (排版): a typesetter for Chinese newspapers.

Article text plus a YAML layout spec in, print-ready PDF pages out. See README.md and docs/.
"""

__version__ = "0.1.0"

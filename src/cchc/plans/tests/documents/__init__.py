"""Plan documents written for the import tests (DESIGN.md §1): text files stored here, DOCX and
PDF files built by :mod:`.builders` (binary formats are generated, so the tests show how)."""

"""Turning a plan document (DOCX, TXT, PDF with a text layer) and its task appendix (XLSX or a
table of the DOCX) into a structured plan that the coordinator reviews and confirms."""

"""From a PDF to :class:`~indexer.records.Document`: text lines (pdfminer.six),
page furniture removed, hyphenation repaired, blocks, reports, findings and
passages, tagged with dates and contractors. ``pipeline.extract_document`` is
the whole step; ``workers`` runs it in bounded processes.
"""

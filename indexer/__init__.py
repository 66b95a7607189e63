"""Rapportsøk's ingest and index side: PDF extraction, segmentation, tagging, analysis and indexing."""

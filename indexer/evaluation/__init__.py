"""Relevance evaluation (nDCG@10, MRR, recall@10) against the graded
judgments shipped as ``judgments.json``.
"""

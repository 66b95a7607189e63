"""Documents into the Whoosh index: schema, the safe incremental build
(plan, extract, write, one atomic commit), parallel segment writers, the
fingerprint that decides when to rebuild, and the index's status.
"""

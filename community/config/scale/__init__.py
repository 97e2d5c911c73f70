"""The large, deterministic community of seed_scale, in three steps.

generator.py draws every thread from one seeded random stream, as plans in
memory (the words it draws from are in vocabulary.py); writer.py turns the
plans into rows in bulk, with every counter the services would have kept;
indexing.py hands the threads to the search backends in chunks. The command
strings them together and, at the end, has recount and check_queue confirm it.
"""

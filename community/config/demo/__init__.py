"""The demo community of seed_demo: its content as data, and the code that plays it.

data/ holds what the demo says (TOML, read by content.py); the other modules
play it through the apps' services, as members, moderators and editors would,
so that counters, notifications and the official-reply queue come out true.
"""

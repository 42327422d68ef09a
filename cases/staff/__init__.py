"""The agents' dashboard: queues, search, the whole case on one screen.

Owns no models; reads through selectors.py, writes only through cases' services.
"""

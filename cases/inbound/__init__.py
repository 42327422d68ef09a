"""Inbound email: a private address per case, mail received three ways into one service, read by
a worker into evidence, a contact-log entry and, where the words say so, a suggested outcome.

address.py   the case's address: made on first use, reset on request, parsed back from a recipient
parse.py     pure: raw bytes to what a message says (caps, charsets, forwards, noise), no database
patterns.py  pure: the confirmation / refusal / needs-more wording in patterns.yaml
receive.py   the one entry for raw bytes (webhook, pipe, SMTP): stored first, queued on commit
services.py  the worker's processing, and the customer's and agents' decisions
selectors.py the reads of the case pages and the Unmatched queue
"""

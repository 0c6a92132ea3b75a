"""Review before release: a sampled human check of an export and a signed release record.

sampling.py  how many words to review and which documents (stratified, seeded), and the exact bound
documents.py the export's manifest paired with its sources, text views and where each replacement is
store.py     the review file (decisions, resumable, staff-only) and the program deny-list
server.py    the local review page (127.0.0.1, token, no network)
certify.py   the release record: estimate, upper bound, hashes, HMAC signature, HTML page
"""

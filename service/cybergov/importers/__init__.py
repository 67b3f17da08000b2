"""Importers: trackers' exports (the CFR Cyber Operations Tracker, STIX bundles such as MITRE
ATT&CK, the MISP galaxy of threat actors) brought in as named graphs of their own, each
statement the tracker's claim, matched to the curated graph without ever writing into it.
"""

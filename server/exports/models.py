"""The exports feature has no tables: XML is generated from the invoice document on request.

The module exists because every feature has the same shape (`server/core/features.py` imports
each feature's models); issued exports stored once and unchanged will have their table here.
"""

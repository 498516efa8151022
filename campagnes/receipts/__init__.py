"""Receipts: French tax receipts (Cerfa 11580*05, 16216*01), membership certificates and
payment confirmations — numbered, rendered to PDF, e-mailed and retrievable."""

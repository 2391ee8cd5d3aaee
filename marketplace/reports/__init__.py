"""Circularity reporting: what the region reused, what it avoided, what it still loses."""

"""Certificates on the web: the views and their forms."""

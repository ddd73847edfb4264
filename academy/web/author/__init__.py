"""Authoring in the browser: the views and their forms."""

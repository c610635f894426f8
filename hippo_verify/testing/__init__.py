"""Testing layer (pytest, hypothesis): error model, assertions, strategies, plugin.

Planned content: a dtype-aware error model and assertion helpers usable by downstream
projects. Imports only from earlier layers.
"""

"""The demo app, the top floor: demo accounts and tickets whose history the product's own code made.

It may import every app; no app imports it (tests/project/test_layers.py).
"""

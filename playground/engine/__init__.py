"""The engine: pure math and data, NumPy only (no pydantic, no HTTP).

Registries keyed by the contract's ids (activations, heads, regularizers, optimizers,
initializers, datasets, features), the network (`nn`), the training loop, and what is
read off a network (trace, diagnostics, heatmaps). Nothing here knows about sessions
or requests; `tests/test_layering.py` holds it to that.
"""

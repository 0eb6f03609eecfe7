"""Tests of playground/engine: the math against finite differences, the data, the features."""
